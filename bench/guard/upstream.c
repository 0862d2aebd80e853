/*
 * upstream.c — the benchmark's upstream: a minimal libevent HTTP server that
 * answers every request with a 2-byte body, so what bench/guard/run.sh
 * measures is the gateway, not a slow backend (Python's http.server tops
 * out at a few thousand requests per second). Built by run.sh with cc.
 *
 *   upstream PORTFILE      listens on 127.0.0.1:0, writes the port to PORTFILE
 */
#include <stdio.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

static void answer(struct evhttp_request *req, void *arg)
{
    (void)arg;
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, "ok", 2);
    evhttp_send_reply(req, 200, "OK", b);
    evbuffer_free(b);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct event_base *base = event_base_new();
    struct evhttp *http = evhttp_new(base);
    evhttp_set_gencb(http, answer, NULL);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    struct evhttp_bound_socket *s = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
    if (!s)
        return 1;
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    getsockname(evhttp_bound_socket_get_fd(s), (struct sockaddr *)&sin, &len);
    FILE *f = fopen(argv[1], "w");
    if (!f)
        return 1;
    fprintf(f, "%d\n", ntohs(sin.sin_port));
    fclose(f);
    event_base_dispatch(base);
    return 0;
}
