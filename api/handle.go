package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// Most handlers have one shape: read the path id and/or the JSON body, call
// one service method, write the result or the error. The adapters below do
// the reading and writing, so a handler holds only what differs. Handlers
// still get the gin.Context for what is route-specific (query, client IP).
//
// The success status is not in the handlers: New hands each route's
// Route.successStatus to its handler through the context.

const ctxSuccessStatus = "success_status"

// setSuccessStatus tells the route's adapter which status a success gets.
func setSuccessStatus(status int) gin.HandlerFunc {
	return func(c *gin.Context) { c.Set(ctxSuccessStatus, status) }
}

// noContent is the result of a route that answers 204 with no body.
type noContent struct{}

// respond writes resp with the route's success status, or err.
func respond[Resp any](c *gin.Context, resp Resp, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	status := c.GetInt(ctxSuccessStatus)
	if status == http.StatusNoContent {
		c.Status(status)
		return
	}
	c.JSON(status, resp)
}

// noBody adapts a handler that takes neither a path id nor a body.
func noBody[Resp any](fn func(c *gin.Context) (Resp, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		resp, err := fn(c)
		respond(c, resp, err)
	}
}

// withBody adapts a handler of a JSON body (bound strictly by bindJSON).
func withBody[Req, Resp any](fn func(c *gin.Context, req Req) (Resp, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req Req
		if err := bindJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
		resp, err := fn(c, req)
		respond(c, resp, err)
	}
}

// withID adapts a handler of the path id :id.
func withID[Resp any](fn func(c *gin.Context, id int64) (Resp, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		resp, err := fn(c, id)
		respond(c, resp, err)
	}
}

// withIDBody adapts a handler of the path id :id and a JSON body. A bad id
// is a 404 before the body is read.
func withIDBody[Req, Resp any](fn func(c *gin.Context, id int64, req Req) (Resp, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		var req Req
		if err := bindJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
		resp, err := fn(c, id, req)
		respond(c, resp, err)
	}
}

// paged adapts a list handler: page and page_size are checked before fn
// runs, and what fn returns is wrapped in a Page.
func paged[T any](fn func(c *gin.Context, p pageReq) ([]T, int64, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := pageParams(c)
		if err != nil {
			fail(c, err)
			return
		}
		items, total, err := fn(c, p)
		if err != nil {
			fail(c, err)
			return
		}
		respond(c, newPage(items, total, p), nil)
	}
}
