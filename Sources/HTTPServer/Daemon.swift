import CMicroHTTPD
import Glibc

/// Starting a libmicrohttpd daemon, and the C callbacks it calls.
///
/// The callbacks are capture-free functions (C cannot carry Swift context); they find the `ServerContext` through
/// `cls` and the per-request `RequestState` through `*con_cls`.
enum Daemon {
    struct Settings {
        var listenFD: Int32
        var threads: Int
        var connectionTimeoutSeconds: Int
        var connectionLimit: Int
    }

    /// Starts a daemon serving `settings.listenFD` with an internal epoll thread pool, or nil when libmicrohttpd
    /// refuses. `MHD_USE_ITC` is required for `MHD_quiesce_daemon` in this mode.
    static func start(_ settings: Settings, context: UnsafeMutableRawPointer) -> OpaquePointer? {
        let flags = MHD_USE_EPOLL_INTERNAL_THREAD.rawValue | MHD_USE_ITC.rawValue
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: MHD_OPTION.LISTEN_SOCKET, value: Int(settings.listenFD), ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.THREAD_POOL_SIZE, value: settings.threads, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_TIMEOUT, value: settings.connectionTimeoutSeconds,
                           ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.CONNECTION_LIMIT, value: settings.connectionLimit, ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.NOTIFY_COMPLETED, value: unsafeBitCast(completedCallback, to: Int.self),
                           ptr_value: context),
            MHD_OptionItem(option: MHD_OPTION.UNESCAPE_CALLBACK, value: unsafeBitCast(keepEscapes, to: Int.self),
                           ptr_value: nil),
            MHD_OptionItem(option: MHD_OPTION.END, value: 0, ptr_value: nil),
        ]
        return options.withUnsafeMutableBufferPointer { items in
            withVaList([MHD_OPTION.ARRAY.rawValue, items.baseAddress!, MHD_OPTION.END.rawValue]) { arguments in
                MHD_start_daemon_va(flags, 0, nil, nil, accessHandler, context, arguments)
            }
        }
    }

    private typealias UnescapeCallback = @convention(c) (
        UnsafeMutableRawPointer?, OpaquePointer?, UnsafeMutablePointer<CChar>?) -> Int

    /// Leaves `%XX` escapes in the path and query for the server to decode per segment (libmicrohttpd would decode
    /// `%2F` into a `/` that then splits a path parameter). Returns the unchanged length.
    private static let keepEscapes: UnescapeCallback = { _, _, text in
        guard let text else { return 0 }
        return strlen(text)
    }

    private static let accessHandler: MHD_AccessHandlerCallback = { cls, connection, url, method, _, data, size, conCls in
        guard let cls, let connection, let size, let conCls else { return MHD_Result.NO }
        let context = Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue()
        guard let existing = conCls.pointee else {
            let state = RequestState(method: HTTPMethod(rawValue: method.map { String(cString: $0) } ?? "GET"),
                                     path: url.map { String(cString: $0) } ?? "/")
            conCls.pointee = Unmanaged.passRetained(state).toOpaque()
            return context.begin(state, connection: connection)
        }
        let state = Unmanaged<RequestState>.fromOpaque(existing).takeUnretainedValue()
        guard size.pointee == 0 else {
            let chunk = UnsafeRawBufferPointer(start: data, count: size.pointee)
            size.pointee = 0
            return context.receive(state, chunk: chunk)
        }
        return context.finish(state, connection: connection)
    }

    private static let completedCallback: MHD_RequestCompletedCallback = { cls, _, conCls, _ in
        guard let cls, let conCls, let raw = conCls.pointee else { return }
        conCls.pointee = nil
        let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
        Unmanaged<ServerContext>.fromOpaque(cls).takeUnretainedValue().completed(state)
    }
}
