// `MetricID` lives in RondoneTimeSeries so that the indexer, which may not import
// storage, shares it. Storage's API is written in terms of metric ids, so every
// `import RondoneStorage` keeps seeing the type without a second import.
@_exported import struct RondoneTimeSeries.MetricID
