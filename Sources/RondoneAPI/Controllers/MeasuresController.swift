/// Placeholder: the routes of this API area are being written.
struct MeasuresController {
    let context: ControllerContext

    func register(on routes: RouteTable) {}
}
