#ifndef NEWSREC_CMICROHTTPD_SHIM_H
#define NEWSREC_CMICROHTTPD_SHIM_H
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

/// MHD_get_daemon_info is variadic, which Swift does not import: the port the daemon listens on (0 if unknown).
static inline uint16_t newsrec_mhd_bind_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// MHD_get_connection_info is variadic, which Swift does not import: the peer address of a connection, or NULL.
static inline const struct sockaddr *newsrec_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}
#endif
