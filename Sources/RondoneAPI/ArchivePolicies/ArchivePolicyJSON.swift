import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// Archive policies as Gnocchi renders them, key order included:
/// `{"name", "back_window", "definition": [{"timespan", "granularity", "points"}],
/// "aggregation_methods"}` (rules: ``ArchivePolicyRuleJSON``). Durations are Python's
/// `str(timedelta)` (`"0:00:01"`, `"1 day, 0:00:00"`). The `Location` and path helpers
/// serve the rule routes too.
enum ArchivePolicyJSON {
    static func policy(_ policy: ArchivePolicy) -> JSONValue {
        .object([
            ("name", .string(policy.name)),
            ("back_window", .int(Int64(policy.backWindow))),
            ("definition", .array(policy.definition.map(item))),
            // A Python set in Gnocchi (no meaningful order): sorted, for stable output.
            (
                "aggregation_methods",
                .array(policy.aggregationMethods.map(\.name).sorted().map { .string($0) })
            ),
        ])
    }

    static func item(_ item: ArchivePolicyItem) -> JSONValue {
        .object([
            ("timespan", item.timespan.map { .string($0.formatted) } ?? .null),
            ("granularity", .string(item.granularity.formatted)),
            ("points", item.points.map { .int(Int64($0)) } ?? .null),
        ])
    }

    /// The `Location` of a created policy or rule, as Gnocchi's `set_resp_location_hdr`:
    /// `quote(script_name + "/v1/<collection>/" + name)` (only `/` kept) under the host URL.
    static func location(
        _ request: Request, configuration: APIConfiguration, collection: String, name: String
    )
        -> String
    {
        let url = RequestURL(
            request: request.head, proxyHeaders: configuration.proxyHeaders,
            fallbackHost: "\(configuration.host):\(configuration.port)")
        let path = url.scriptName + "/v1/" + collection + "/" + name
        return url.hostURL + URLQuoting.quote(path, safe: [UInt8(ascii: "/")], spaceAsPlus: false)
    }

    /// A `{name}` path parameter, percent-decoded as the WSGI server decodes the path
    /// (the router hands it over still encoded); invalid UTF-8 is replaced, never refused.
    static func pathName(_ context: RondoneRequestContext) -> String {
        context.pathParameter("name")
    }
}
