/// Placeholder: the routes of this API area are being written.
struct MetricController {
    let context: ControllerContext

    func register(on routes: RouteTable) {}
}
