import HummingbirdCore
import HummingbirdHTTP2
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// A TLS listener that answers a plain-HTTP request with a 400 saying so, as Go's
/// servers do (Prometheus, VictoriaMetrics), instead of dropping the connection: the
/// first byte of a TLS connection is a handshake record (22); anything else gets
/// `400 Client sent an HTTP request to an HTTPS server.` and is closed.
struct PlainHTTPRefusingChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(PlainHTTPDetector(), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTPS (HTTP/1.1, and HTTP/2 by ALPN with `http2`) with plain HTTP refused cleanly.
    static func https(tlsConfiguration: TLSConfiguration, http2: Bool) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            if http2 {
                return PlainHTTPRefusingChannel(
                    base: try HTTP2UpgradeChannel(tlsConfiguration: tlsConfiguration, responder: responder))
            }
            return PlainHTTPRefusingChannel(
                base: try TLSChannel(HTTP1Channel(responder: responder), tlsConfiguration: tlsConfiguration))
        }
    }
}

/// Looks at the first byte a client sends, then steps out of the pipeline.
final class PlainHTTPDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let tlsHandshakeRecord: UInt8 = 22
    static let answer =
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
        + "Client sent an HTTP request to an HTTPS server.\n"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return context.fireChannelRead(data)
        }
        if first == Self.tlsHandshakeRecord {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        let reply = context.channel.allocator.buffer(string: Self.answer)
        context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { [channel = context.channel] _ in
            channel.close(promise: nil)
        }
    }
}
