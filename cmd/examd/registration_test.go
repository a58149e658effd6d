package main

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"

	"taxiexam/internal/auth"
)

// TestRegistrationOwnershipAndUploadsOverHTTP: a candidate guessing another's
// application id gets 404 and changes nothing; uploads that are not images
// or not multipart are clear 4xx errors; QR codes are images.
func TestRegistrationOwnershipAndUploadsOverHTTP(t *testing.T) {
	ta := newTestApp(t, nil)
	owner, other, admin := ta.client(), ta.client(), ta.client()
	ta.loginCandidate(t, owner, "13600136100")
	ta.loginCandidate(t, other, "13600136101")
	ta.loginStaff(t, admin, auth.RoleBureauAdmin)

	res := ta.call(t, owner, "POST", "/api/v1/me/applications", `{"channel":""}`)
	if res.status != http.StatusOK {
		t.Fatalf("start: %d %s", res.status, res.body)
	}
	var app struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	if err := json.Unmarshal([]byte(res.body), &app); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/me/applications/" + strconv.FormatInt(app.ID, 10)
	for _, c := range []struct{ method, path, body string }{
		{"GET", path, ""},
		{"PUT", path, `{"version":1,"form":{"name":"李四"}}`},
		{"POST", path + "/submit", `{"version":1}`},
		{"GET", path + "/photo", ""},
	} {
		if r := ta.call(t, other, c.method, c.path, c.body); r.status != http.StatusNotFound {
			t.Errorf("%s %s as another candidate: %d %s", c.method, c.path, r.status, r.body)
		}
	}
	if r := ta.call(t, owner, "GET", path, ""); r.status != http.StatusOK || !bytes.Contains([]byte(r.body), []byte(`"version":1`)) {
		t.Fatalf("owner's application changed: %s", r.body)
	}

	// Not multipart: 400; multipart but not an image: 422 with the field.
	if r := ta.call(t, owner, "POST", path+"/photo", `{}`); r.status != http.StatusBadRequest {
		t.Fatalf("json photo: %d %s", r.status, r.body)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write([]byte("%PDF-1.4 this is no photo"))
	mw.Close()
	req, _ := http.NewRequest("POST", ta.srv.URL+path+"/photo", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Requested-With", "examd")
	resp, err := owner.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("pdf photo: %d", resp.StatusCode)
	}

	// QR code of a channel.
	res = ta.call(t, admin, "POST", "/api/v1/admin/channels", `{"name":"微信公众号","code":"wechat"}`)
	if res.status != http.StatusCreated {
		t.Fatalf("channel: %d %s", res.status, res.body)
	}
	var ch struct{ ID int64 }
	_ = json.Unmarshal([]byte(res.body), &ch)
	qr := ta.call(t, admin, "GET", "/api/v1/admin/channels/"+strconv.FormatInt(ch.ID, 10)+"/qr.png?size=256", "")
	if qr.status != http.StatusOK || qr.header.Get("Content-Type") != "image/png" || len(qr.body) < 100 {
		t.Fatalf("qr: %d %s", qr.status, qr.header.Get("Content-Type"))
	}
	if r := ta.call(t, admin, "GET", "/api/v1/admin/channels/"+strconv.FormatInt(ch.ID, 10)+"/qr.png?size=abc", ""); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad size: %d", r.status)
	}
	if r := ta.call(t, owner, "GET", "/api/v1/registration/channels/wechat", ""); r.status != http.StatusOK || !bytes.Contains([]byte(r.body), []byte(`"active":true`)) {
		t.Fatalf("landing: %d %s", r.status, r.body)
	}
}
