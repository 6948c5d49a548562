package stack

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// KeepEnv, when set, makes StartTest keep the stack's dir of a test that
// passed too (a failed test's dir is always kept).
const KeepEnv = "WXBRIDGE_E2E_KEEP"

// startTimeout bounds Start in tests (the first start of a fresh stack
// takes about a second).
const startTimeout = 2 * time.Minute

// RequireBinaries skips the test when the binaries are missing, or fails it
// when CI=true, where they must be there.
func RequireBinaries(t testing.TB, dir string) Binaries {
	t.Helper()
	bins, err := FindBinaries(dir)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the end-to-end binaries are missing: %v", err)
		}
		t.Skipf("skipping the end-to-end test: %v", err)
	}
	return bins
}

// StartTest starts a stack for a test and stops it in t.Cleanup. When the
// test failed, the cleanup prints the tail of the bridge log and keeps the
// stack's dir (its path is printed). A bridge that crashed fails the test,
// and so does every protocol violation a simulator recorded (see
// wechattest.Server.Violations).
func StartTest(t testing.TB, opts Options) *Stack {
	t.Helper()
	RequireBinaries(t, opts.Bin)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("starting the stack: %v", err)
	}
	t.Logf("stack started in %v", s.StartupTime.Round(time.Millisecond))
	t.Cleanup(func() {
		// A violation is a request the real server would refuse or
		// the official client never sends: the bridge's mistake. Faults
		// the test injected are not violations (see Server.Induced).
		for i, sim := range s.Sims.Servers {
			if v := sim.Violations(); len(v) > 0 {
				t.Errorf("the bridge broke the protocol: simulator %d recorded %d violations:\n%s", i, len(v), strings.Join(v, "\n"))
			}
			if v := sim.Induced(); len(v) > 0 {
				t.Logf("simulator %d refused calls after the test's own changes (not violations): %q", i, v)
			}
		}
		if os.Getenv(KeepEnv) != "" && !t.Failed() {
			s.KeepDir()
			t.Logf("%s is set: the stack's files are kept in %s", KeepEnv, s.Dir)
		}
		if t.Failed() {
			s.KeepDir()
			t.Logf("tail of the bridge log %s:\n%s", s.Bridge.LogPath, s.Bridge.Tail(150))
			t.Logf("the stack's files (configs, logs of dendrite, bridge and simulator) are kept in %s", s.Dir)
		}
		if err := s.Close(); err != nil {
			t.Errorf("stopping the stack: %v", err)
		}
	})
	return s
}

// RequireNio skips the test when matrix-nio is missing (CheckNio), or
// fails it when CI=true, where it must be there.
func RequireNio(t testing.TB) {
	t.Helper()
	if err := CheckNio(context.Background()); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the encrypted-room client is missing: %v", err)
		}
		t.Skipf("skipping the encrypted-room test: %v", err)
	}
}

// StartNioTest starts the nio client (Stack.StartNio) for a test, logged in
// as localpart with its store in a temporary dir, and stops it in
// t.Cleanup; a failed test gets the tail of the driver's log. Without
// matrix-nio the test is skipped, or fails when CI=true (RequireNio).
func StartNioTest(t testing.TB, s *Stack, localpart string) *Nio {
	t.Helper()
	RequireNio(t)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	n, err := s.StartNio(ctx, localpart, t.TempDir())
	if err != nil {
		t.Fatalf("starting the nio client: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("tail of the nio client's log:\n%s", n.Stderr(80))
		}
		n.Close()
	})
	return n
}
