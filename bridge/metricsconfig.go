package bridge

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// MetricsConfig is network.metrics: whether and where the bridge serves
// Prometheus metrics.
type MetricsConfig struct {
	// Enabled turns the listener on; it is off by default.
	Enabled bool `yaml:"enabled"`
	// Listen is the host:port to serve /metrics on.
	Listen string `yaml:"listen"`
}

// check validates the listen address (also while metrics are off, so that
// a typo shows before someone turns them on). Its errors start with the
// key's name below network.metrics.
func (mc *MetricsConfig) check() error {
	if mc.Listen == "" {
		if mc.Enabled {
			return fmt.Errorf("listen: metrics are enabled but no address is set; set one such as 127.0.0.1:8001")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(mc.Listen)
	if err != nil {
		return fmt.Errorf("listen: %q is not a host:port address such as 127.0.0.1:8001", mc.Listen)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("listen: %q needs a port between 1 and 65535, such as 127.0.0.1:8001", mc.Listen)
	}
	if strings.ContainsAny(host, " \t/") {
		return fmt.Errorf("listen: %q has no valid host; use an IP address or a host name, such as 127.0.0.1:8001", mc.Listen)
	}
	return nil
}
