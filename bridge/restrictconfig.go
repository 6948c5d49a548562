package bridge

import (
	"fmt"
	"strings"
	"time"
)

// RestrictionsConfig is network.restrictions: when WeChat ending a session
// counts as WeChat restricting the account (restrict.go).
type RestrictionsConfig struct {
	// EarlyLogout is a Go duration: WeChat ending a session sooner than
	// this after its login is a restriction. Empty means
	// DefaultEarlyLogout; 0 turns the check off.
	EarlyLogout string `yaml:"early_logout"`
	// RepeatedLogouts is how many logouts within a day are a restriction.
	// Absent means DefaultRepeatedLogouts; 0 turns the check off.
	RepeatedLogouts *int `yaml:"repeated_logouts"`

	// Parsed form of EarlyLogout, filled by check.
	earlyLogout time.Duration
}

// check parses the section. Its errors start with the key's name below
// network.restrictions.
func (rc *RestrictionsConfig) check() error {
	s := strings.TrimSpace(rc.EarlyLogout)
	rc.earlyLogout = DefaultEarlyLogout
	if s != "" {
		d, err := time.ParseDuration(s)
		if s == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			return fmt.Errorf("early_logout: %q is not a duration such as 5m (0 turns the check off)", rc.EarlyLogout)
		}
		rc.earlyLogout = d
	}
	if rc.RepeatedLogouts != nil && *rc.RepeatedLogouts < 0 {
		return fmt.Errorf("repeated_logouts: %d is negative (0 turns the check off)", *rc.RepeatedLogouts)
	}
	return nil
}

// repeatedLogouts is the number of logouts within a day that is a
// restriction, 0 when that check is off.
func (rc *RestrictionsConfig) repeatedLogouts() int {
	if rc.RepeatedLogouts == nil {
		return DefaultRepeatedLogouts
	}
	return *rc.RepeatedLogouts
}
