import Foundation
import HTTPTypes
import RondoneAPITesting
import Testing

/// `/v1/metric/<id>/measures` and `/v1/batch/metrics/measures` over HTTP, with the real
/// stores and metricd (`refresh=true` processes synchronously).
@Suite("Measures over HTTP")
struct MeasuresControllerTests {
    static let admin = MetricControllerTests.admin

    static func createMetric(_ client: APITestClient, policy: String = "low") async throws -> String {
        let created = try await client.request(
            .post, "/v1/metric", headers: admin, body: #"{"archive_policy_name": "\#(policy)"}"#)
        return try #require(try MetricControllerTests.object(created.text)["id"] as? String)
    }

    @Test func postThenRead() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let id = try await Self.createMetric(client)
            let posted = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.admin,
                body:
                    #"[{"timestamp": "2015-03-06T14:33:57", "value": 43.1}, {"timestamp": "2015-03-06T14:34:12", "value": 12}]"#
            )
            #expect(posted.status == .accepted)
            #expect(posted.text.isEmpty)
            let read = try await client.request(
                .get, "/v1/metric/\(id)/measures?refresh=true", headers: Self.admin)
            #expect(read.status == .ok)
            #expect(read.text == #"[["2015-03-06T14:30:00+00:00", 300.0, 27.55]]"#)
            let max = try await client.request(
                .get, "/v1/metric/\(id)/measures?aggregation=max&granularity=300&resample=3600",
                headers: Self.admin)
            #expect(max.text == #"[["2015-03-06T14:00:00+00:00", 3600.0, 43.1]]"#)
            let late = try await client.request(
                .get, "/v1/metric/\(id)/measures?start=2015-03-06T15:00:00", headers: Self.admin)
            #expect(late.text == "[]")
        }
    }

    @Test func readErrors() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let id = try await Self.createMetric(client)
            let wtf = try await client.request(
                .get, "/v1/metric/\(id)/measures?aggregation=wtf", headers: Self.admin)
            #expect(wtf.status == .notFound)
            #expect(
                wtf.text
                    == #"{"code": 404, "title": "Not Found", "description": {"cause": "Aggregation method does not exist for this metric", "detail": {"metric": "\#(id)", "aggregation_method": "wtf"}}}"#
            )
            let granularity = try await client.request(
                .get, "/v1/metric/\(id)/measures?granularity=42", headers: Self.admin)
            #expect(granularity.status == .notFound)
            #expect(
                granularity.text.contains(
                    "Aggregation method 'mean' at granularity '42.0' for metric \(id) does not exist"))
            let badGranularity = try await client.request(
                .get, "/v1/metric/\(id)/measures?granularity=foobar", headers: Self.admin)
            #expect(
                badGranularity.text
                    == #"{"code": 400, "title": "Bad Request", "description": {"cause": "Argument value error", "detail": "granularity", "reason": "Unable to parse timespan"}}"#
            )
            let badStart = try await client.request(
                .get, "/v1/metric/\(id)/measures?start=foo", headers: Self.admin)
            #expect(badStart.status == .badRequest)
            #expect(badStart.text.contains("Must be a datetime or a timestamp"))
            let resample = try await client.request(
                .get, "/v1/metric/\(id)/measures?resample=60", headers: Self.admin)
            #expect(resample.text.contains("A granularity must be specified to resample"))
            let refresh = try await client.request(
                .get, "/v1/metric/\(id)/measures?refresh=maybe", headers: Self.admin)
            #expect(refresh.status == .badRequest)
            let unknown = try await client.request(.get, "/v1/metric/fake/measures", headers: Self.admin)
            #expect(unknown.status == .notFound)
            let forbidden = try await client.request(
                .get, "/v1/metric/\(id)/measures", headers: MetricControllerTests.foobar)
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test func postErrors() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let id = try await Self.createMetric(client)
            let beforeEpoch = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.admin,
                body: #"[{"timestamp": "1915-03-06T14:33:57", "value": 1}]"#)
            #expect(beforeEpoch.status == .badRequest)
            #expect(beforeEpoch.text.contains("Timestamp must be after Epoch"))
            let shape = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.admin, body: #"[{"value": 1}]"#)
            #expect(shape.status == .badRequest)
            let notAList = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.admin, body: "1")
            #expect(notAList.status == .badRequest)
            let unknown = try await client.request(
                .post, "/v1/metric/fake/measures", headers: Self.admin,
                body: #"[{"timestamp": 1, "value": 1}]"#)
            #expect(unknown.status == .notFound)
            let forbidden = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: MetricControllerTests.foobar,
                body: #"[{"timestamp": 1, "value": 1}]"#)
            #expect(forbidden.status == .forbidden)
            // Nothing was stored by any of these.
            let read = try await client.request(
                .get, "/v1/metric/\(id)/measures?refresh=true", headers: Self.admin)
            #expect(read.text == "[]")
        }
    }
}

/// `/v1/batch/metrics/measures`: all or nothing.
@Suite("Batch measures over HTTP")
struct BatchMeasuresControllerTests {
    @Test func batch() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let first = try await MeasuresControllerTests.createMetric(client)
            let second = try await MeasuresControllerTests.createMetric(client)
            let missing = "37AEC8B7-C0D9-445B-8AB9-D3C6312DCF5C"
            let refused = try await client.request(
                .post, "/v1/batch/metrics/measures", headers: MetricControllerTests.admin,
                body: #"{"\#(first)": [{"timestamp": "2015-03-06T14:33:57", "value": 1}], "\#(missing)": []}"#
            )
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("Unknown metrics: 37aec8b7-c0d9-445b-8ab9-d3c6312dcf5c"))
            let nothing = try await client.request(
                .get, "/v1/metric/\(first)/measures?refresh=true", headers: MetricControllerTests.admin)
            #expect(nothing.text == "[]")
            let accepted = try await client.request(
                .post, "/v1/batch/metrics/measures", headers: MetricControllerTests.admin,
                body:
                    #"{"\#(first)": [{"timestamp": "2015-03-06T14:33:57", "value": 1}], "\#(second)": [{"timestamp": "2015-03-06T14:33:57", "value": 2}]}"#
            )
            #expect(accepted.status == .accepted)
            #expect(accepted.headers[.contentLength] == "0")
            let read = try await client.request(
                .get, "/v1/metric/\(second)/measures?refresh=true", headers: MetricControllerTests.admin)
            #expect(read.text == #"[["2015-03-06T14:30:00+00:00", 300.0, 2.0]]"#)
            let forbidden = try await client.request(
                .post, "/v1/batch/metrics/measures", headers: MetricControllerTests.foobar,
                body: #"{"\#(first)": [{"timestamp": "2015-03-06T14:33:57", "value": 1}]}"#)
            #expect(forbidden.status == .forbidden)
        }
    }

    /// The metrics of a batch are looked up together: a deleted metric is refused the
    /// request after its deletion, listed with the unknown ones in id order, and ids in
    /// Python's other UUID spellings name the same metrics as the canonical form.
    @Test func deletedAndUnknownMetricsInOneLookup() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let kept = try await MeasuresControllerTests.createMetric(client)
            let deleted = try await MeasuresControllerTests.createMetric(client)
            let measure = #"[{"timestamp": "2015-03-06T14:33:57", "value": 1}]"#
            let before = try await client.request(
                .post, "/v1/batch/metrics/measures", headers: MetricControllerTests.admin,
                body: #"{"\#(kept)": \#(measure), "\#(deleted)": \#(measure)}"#)
            #expect(before.status == .accepted)
            let gone = try await client.request(
                .delete, "/v1/metric/\(deleted)", headers: MetricControllerTests.admin)
            #expect(gone.status == .noContent)
            let unknown = "00000000-0000-4000-8000-000000000001"
            let refused = try await client.request(
                .post, "/v1/batch/metrics/measures", headers: MetricControllerTests.admin,
                body: #"{"\#(deleted)": \#(measure), "\#(kept)": \#(measure), "\#(unknown)": []}"#)
            #expect(refused.status == .badRequest)
            let listed = [deleted.lowercased(), unknown].sorted().joined(separator: ", ")
            #expect(refused.text.contains("Unknown metrics: \(listed)"))
            let hex = kept.replacingOccurrences(of: "-", with: "").uppercased()
            let spelled = try await client.request(
                .post, "/v1/batch/metrics/measures", headers: MetricControllerTests.admin,
                body: #"{"{urn:uuid:\#(hex)}": [{"timestamp": "2015-03-06T14:38:57", "value": 3}]}"#)
            #expect(spelled.status == .accepted)
            let read = try await client.request(
                .get, "/v1/metric/\(kept)/measures?refresh=true&granularity=300",
                headers: MetricControllerTests.admin)
            #expect(read.text.contains(#"["2015-03-06T14:35:00+00:00", 300.0, 3.0]"#))
        }
    }
}
