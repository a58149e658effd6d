package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
)

// errQueueFull answers a contended write that waited its whole turn.
var errQueueFull = apperr.New(apperr.KindUnavailable, "server_busy", "too many requests are waiting for the same seats; please retry in a moment").WithRetryAfter(2)

// admission runs at most len(slots) requests of the contended routes at
// once on this node; the others wait in arrival order (a channel serves
// its blocked senders first-come) for at most wait, then get 503 with
// Retry-After.
//
// Why: every booking of a session queues on that session's row lock, so
// running more of them at once buys nothing, while each one admitted
// early costs CPU (session, idempotency key, eligibility, outbox rows)
// that the bookings already holding the lock wait for. In a release-time
// stampede of 5,000 phones, letting all of them in at once made every
// booking wait for everyone's preparation (docs/performance.md, "Booking
// stampede"). Admission is only about order and CPU: the seat counter's
// conditional UPDATE and the unique keys still decide every seat, on any
// number of nodes.
type admission struct {
	slots chan struct{}
	wait  time.Duration
}

func newAdmission(slots int, wait time.Duration) *admission {
	return &admission{slots: make(chan struct{}, slots), wait: wait}
}

func (a *admission) handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		select {
		case a.slots <- struct{}{}:
		default:
			t := time.NewTimer(a.wait)
			select {
			case a.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				fail(c, errQueueFull)
				return
			case <-c.Request.Context().Done():
				t.Stop()
				c.Abort() // the client has gone; nobody reads an answer
				return
			}
		}
		defer func() { <-a.slots }()
		c.Next()
	}
}
