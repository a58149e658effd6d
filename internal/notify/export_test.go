package notify

// Test hooks for the external test package.

// SetCrash makes w's consumers stop dead at a point when f returns true,
// as if the process were killed there.
func SetCrash(w *Worker, f func(point string) bool) { w.crash = f }

var ErrCrashed = errCrashed

const (
	PointAfterClaim = pointAfterClaim
	PointAfterSend  = pointAfterSend
	PointBeforeAck  = pointBeforeAck
)
