package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// Server serves the metrics at /metrics on its own listener.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	log  zerolog.Logger
	done chan struct{}
}

// Listen binds addr (host:port) and serves m at /metrics in the background
// until Stop. A port that another program holds is a clear error.
func Listen(addr string, m *Metrics, log zerolog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is already in use: stop the program that uses it or choose another address: %w", addr, err)
	} else if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      promLogger{log},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
		Timeout:       2 * scrapeTimeout,
	}))
	s := &Server{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
		},
		ln:   ln,
		log:  log,
		done: make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Err(err).Msg("Metrics listener stopped")
		}
	}()
	log.Info().Str("address", s.Addr()).Msg("Serving Prometheus metrics at /metrics")
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Stop stops serving and waits for the server: scrapes in progress get
// until ctx ends to finish, then their connections are closed.
func (s *Server) Stop(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	return err
}

// promLogger passes promhttp's errors (a failed scrape) to zerolog.
type promLogger struct{ log zerolog.Logger }

func (l promLogger) Println(v ...any) {
	l.log.Warn().Msg(fmt.Sprint(v...))
}
