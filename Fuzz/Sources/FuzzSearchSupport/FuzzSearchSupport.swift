import FuzzSupport
import RondoneTimeSeries

@testable import RondoneAPI
@testable import RondoneIndexer

/// A custom type with one attribute of each kind, for binding filters to attributes.
let instanceType = ResourceType(
    name: "instance",
    attributes: [
        ResourceTypeAttribute(name: "host", kind: .string(minLength: 0, maxLength: 255), required: true),
        ResourceTypeAttribute(name: "flavor", kind: .number(min: 0, max: nil), required: false),
        ResourceTypeAttribute(name: "image_ref", kind: .uuid, required: false),
        ResourceTypeAttribute(name: "enabled", kind: .bool, required: false),
        ResourceTypeAttribute(name: "launched_at", kind: .datetime, required: false),
    ])

/// What the resource search does with a filter document: Gnocchi's schema (with the
/// caller as creator of `id` operands), the filter tree, then the driver-neutral binding
/// to `generic` and to a custom type, with and without history.
public func searchResources(_ document: SearchValue) {
    guard let validated = try? ResourceSearchSchema.validate(document, creator: "fuzz:fuzz") else { return }
    guard let filter = try? ResourceSearchFilter(tree: validated).compiled() else { return }
    for type in [ResourceType(name: ResourceType.generic), instanceType] {
        for history in [false, true] {
            _ = try? filter.bound(to: type, history: history, now: fuzzNow)
        }
    }
}

/// What the metric search (`POST /v1/search/metric`) does with a query document: Gnocchi's
/// `MetricSearchSchema`, the predicate, then the predicate on a few values.
public func searchMeasures(_ document: SearchValue) {
    guard let validated = try? MeasurePredicate.schema.validate(document),
        let predicate = try? MeasurePredicate.build(validated)
    else { return }
    for value in [0, 1, -2.5, 1e308, -.infinity, .nan] as [Double] { _ = predicate.matches(value) }
}
