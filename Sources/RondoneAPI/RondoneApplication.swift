public import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Prometheus

/// Builds the HTTP application: the router with every controller, the middleware stack
/// (metrics and logs, CORS, error rendering, authentication into the
/// ``RondoneRequestContext``) and the server configuration.
///
/// Every controller is mounted (a server is always fully wired, see ``APIServices``);
/// each lives in the folder of its API area (`ArchivePolicies/`, `Resources/`, …) with
/// its schemas and JSON rendering.
public enum RondoneApplication {
    /// The application for `configuration`, serving `services`; `onServerRunning` is
    /// called with the bound port once it is bound (the place to say the server is
    /// serving).
    public static func build(
        configuration: APIConfiguration, services: APIServices,
        onServerRunning: @escaping @Sendable (_ port: Int?) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        var logger = Logger(label: "rondone.api")
        logger.logLevel = configuration.logLevel
        let parts = try makeRouter(configuration: configuration, services: services)
        var server = HTTPServerBuilder.http1()
        if let webConfig = configuration.webConfig, let tls = try webConfig.serverTLSConfiguration() {
            server = .https(tlsConfiguration: tls, http2: webConfig.config.http2)
        }
        return Application(
            router: parts,
            server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
            logger: logger)
    }

    /// The router alone (for embedding in a larger application or a router-level test).
    public static func makeRouter(
        configuration: APIConfiguration, services: APIServices
    ) throws -> Router<RondoneRequestContext> {
        let registry = services.registry
        let router = Router(context: RondoneRequestContext.self)
        router.add(
            middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: registry)))
        router.add(middleware: OsloCORSMiddleware(allowedOrigins: configuration.corsAllowedOrigins))
        router.add(
            middleware: ErrorMiddleware(
                unavailable: services.unavailable, diskFull: services.diskFull, registry: registry))
        router.add(
            middleware: AuthMiddleware(
                authenticator: Authenticator(mode: configuration.authMode),
                webConfig: configuration.webConfig,
                metrics: PrometheusMetricsFactory(registry: registry)))

        let routes = RouteTable(router: router, configuration: configuration)
        let policy = try PolicyEnforcer(strict: configuration.strictIsolation)
        VersionsController(configuration: configuration).register(on: routes)
        HealthcheckController().register(on: routes)
        CapabilitiesController().register(on: routes)
        StatusController(provider: services.status, policy: policy)
            .register(on: routes)
        MetricsController(registry: registry).register(on: routes)
        ConsoleController().register(on: routes)
        let context = ControllerContext(
            configuration: configuration, indexer: services.indexer,
            indexIsExclusive: services.indexIsExclusive, incoming: services.incoming,
            reader: services.reader, refresh: services.refresh, wake: services.wake,
            policy: policy)
        ArchivePolicyController(context: context).register(on: routes)
        ArchivePolicyRuleController(context: context).register(on: routes)
        MetricController(context: context).register(on: routes)
        MeasuresController(context: context).register(on: routes)
        BatchMeasuresController(context: context).register(on: routes)
        ResourceController(context: context).register(on: routes)
        ResourceTypeController(context: context).register(on: routes)
        NamedMetricController(context: context).register(on: routes)
        BatchResourceMeasuresController(context: context).register(on: routes)
        InfluxDBController(context: context).register(on: routes)
        AggregatesController(context: context).register(on: routes)
        AggregationController(context: context).register(on: routes)
        AggregationResourceController(context: context).register(on: routes)
        ResourceSearchController(context: context).register(on: routes)
        MetricSearchController(context: context).register(on: routes)
        PrometheusWriteController(context: context).register(on: routes)
        PrometheusQueryController(context: context).register(on: routes)
        OpenAPIController().register(on: routes)
        routes.finish()
        return router
    }
}
