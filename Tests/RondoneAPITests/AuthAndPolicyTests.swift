import HTTPTypes
import Testing

@testable import RondoneAPI

@Suite("Auth modes and policy")
struct AuthAndPolicyTests {
    func headers(_ pairs: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    @Test func basicMode() throws {
        let auth = Authenticator(mode: .basic)
        let admin = try auth.identity(headers(["Authorization": "basic YWRtaW46"]))
        #expect(admin.creator == "admin" && admin.isAdmin && admin.projectID == nil)
        let foobar = try auth.identity(headers(["Authorization": "Basic Zm9vYmFyOg=="]))
        #expect(foobar.creator == "foobar" && !foobar.isAdmin)
        #expect(Identity.createdBy(creator: foobar.creator) == ("foobar", ""))
        #expect(throws: APIError.self) { try auth.identity(headers([:])) }
        #expect(throws: APIError.self) { try auth.identity(headers(["Authorization": ""])) }
        #expect(throws: APIError.self) { try auth.identity(headers(["Authorization": "Bearer abc"])) }
        #expect(Authenticator.basicUserName("basic Zm9vYmFy") == "foobar")  // no colon: all user
        #expect(Authenticator.basicUserName("basic Zm9v!YmFy") == "foobar")  // junk skipped, as Python
        #expect(Authenticator.basicUserName("basic Zm9vYmE") == nil)  // bad padding
    }

    @Test func keystoneAndRemoteUserModes() throws {
        let keystone = Authenticator(mode: .keystone)
        let identity = try keystone.identity(
            headers(["X-User-Id": "u1", "X-Project-Id": "p1", "X-Roles": "member,Admin"]))
        #expect(identity.creator == "u1:p1" && identity.isAdmin)
        #expect(Identity.createdBy(creator: identity.creator) == ("u1", "p1"))
        #expect(throws: APIError.self) { try keystone.identity(headers([:])) }
        let remote = Authenticator(mode: .remoteuser)
        #expect(try remote.identity(headers(["Remote-User": "admin"])).isAdmin)
        #expect(throws: APIError.self) { try remote.identity(headers(["Authorization": "basic YWRtaW46"])) }
    }

    @Test func defaultRules() throws {
        let policy = try PolicyEnforcer()
        let basic = Authenticator(mode: .basic)
        let admin = try basic.identity(headers(["Authorization": "basic YWRtaW46"]))
        let foobar = try basic.identity(headers(["Authorization": "basic Zm9vYmFyOg=="]))
        #expect(policy.check("get status", identity: admin, target: [:]))
        #expect(!policy.check("get status", identity: foobar, target: [:]))
        #expect(policy.check("create archive policy rule", identity: admin, target: [:]))
        #expect(!policy.check("create archive policy", identity: foobar, target: [:]))
        #expect(policy.check("list archive policy", identity: foobar, target: [:]))
        let metricOfFoobar: PolicyTarget = [
            "creator": "foobar", "created_by_project_id": "", "resource": nil,
        ]
        #expect(policy.check("get metric", identity: foobar, target: metricOfFoobar))
        #expect(policy.check("delete metric", identity: foobar, target: metricOfFoobar))
        let other = try basic.identity(headers(["Authorization": "basic amQ6"]))
        #expect(!policy.check("get metric", identity: other, target: metricOfFoobar))
        #expect(throws: APIError.self) {
            try policy.enforce("delete metric", identity: other, target: metricOfFoobar)
        }

        let keystone = Authenticator(mode: .keystone)
        let member = try keystone.identity(headers(["X-User-Id": "u2", "X-Project-Id": "p1"]))
        let projectMetric = PolicyTarget(
            flattening: .object([
                ("creator", .string("u1:p1")), ("created_by_project_id", .string("p1")),
                ("resource", .object([("project_id", .string("p9"))])),
            ]))
        #expect(projectMetric.values["resource.project_id"] == "p9")
        #expect(policy.check("get metric", identity: member, target: projectMetric))  // same creating project
        let resourceMetric: PolicyTarget = [
            "creator": "x:y", "created_by_project_id": "y", "resource.project_id": "p1",
        ]
        #expect(policy.check("get measures", identity: member, target: resourceMetric))  // metric_owner
        #expect(!policy.check("post measures", identity: member, target: resourceMetric))
    }

    @Test func checkStringGrammar() throws {
        let policy = try PolicyEnforcer(rules: [
            "a": "not role:admin and (user:%(creator)s or @)", "b": "!", "c": "rule:a or rule:missing",
        ])
        let user = Authenticator.userIdentity("bob")
        #expect(policy.check("a", identity: user, target: [:]))
        #expect(!policy.check("b", identity: user, target: [:]))
        #expect(policy.check("c", identity: user, target: [:]))
        #expect(!policy.check("a", identity: Authenticator.userIdentity("admin"), target: [:]))
        #expect(throws: PolicyError.self) { try PolicyEnforcer(rules: ["x": "role:admin or"]) }
    }
}
