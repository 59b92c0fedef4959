import Hummingbird
import RondoneJSON

/// `/` (the versions document, any method, as Gnocchi's root controller) and `/v1/`
/// (links to every API area; `/v1` redirects there with a 302, as pecan does).
struct VersionsController {
    let configuration: APIConfiguration

    static let v1Areas = [
        "aggregates", "aggregation", "archive_policy", "archive_policy_rule", "batch", "capabilities",
        "influxdb",
        "metric", "resource", "resource_type", "search", "status",
    ]

    func register(on routes: RouteTable) {
        for method: HTTPRequest.Method in [.get, .post, .put, .patch, .delete] {
            routes.add(method, "/", answersHead: true) { request, _ in
                return JSONResponse.make(versions(requestURL(request)))
            }
        }
        // A pecan index: the table answers `/v1` with the 302 to `/v1/`.
        routes.add(.get, "/v1/", answersHead: true) { request, _ in
            JSONResponse.make(links(requestURL(request)))
        }
    }

    func requestURL(_ request: Request) -> RequestURL {
        RequestURL(
            request: request.head, proxyHeaders: configuration.proxyHeaders,
            fallbackHost: "\(configuration.host):\(configuration.port)")
    }

    func versions(_ url: RequestURL) -> JSONValue {
        .object([
            ("build", .string("4.7.1")),
            (
                "versions",
                .array([
                    .object([
                        ("status", .string("CURRENT")),
                        (
                            "links",
                            .array([
                                .object([("rel", .string("self")), ("href", .string(url.absolute("/v1/")))])
                            ])
                        ),
                        ("id", .string("v1.0")),
                        ("updated", .string("2015-03-19")),
                    ])
                ])
            ),
        ])
    }

    func links(_ url: RequestURL) -> JSONValue {
        var items: [JSONValue] = [
            .object([("rel", .string("self")), ("href", .string(url.absolute("/v1")))])
        ]
        for area in Self.v1Areas {
            items.append(.object([("rel", .string(area)), ("href", .string(url.absolute("/v1/" + area)))]))
        }
        return .object([("version", .string("1.0")), ("links", .array(items))])
    }
}
