package providers_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"taxiexam/internal/notify"
	"taxiexam/internal/notify/providers"
)

func allTemplates(prefix string) map[string]string {
	m := map[string]string{}
	for i, t := range notify.Templates() {
		m[t.Code] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return m
}

// refSign is an independent implementation of Aliyun's signature v1 from
// its documentation, written with net/url (QueryEscape + the documented
// replacements), to check the client's own.
func refSign(method string, form url.Values, secret string) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	enc := func(s string) string {
		s = url.QueryEscape(s)
		return strings.NewReplacer("+", "%20", "*", "%2A", "%7E", "~").Replace(s)
	}
	var parts []string
	for _, k := range keys {
		parts = append(parts, enc(k)+"="+enc(form.Get(k)))
	}
	toSign := method + "&" + enc("/") + "&" + enc(strings.Join(parts, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// fakeAliyun answers SendSms like the real service, checking the
// signature and the required parameters.
type fakeAliyun struct {
	mu     sync.Mutex
	got    []url.Values
	answer func(form url.Values) (int, map[string]string)
}

func (f *fakeAliyun) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", 400)
		return
	}
	f.mu.Lock()
	f.got = append(f.got, r.PostForm)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	form := r.PostForm
	for _, k := range []string{"AccessKeyId", "Action", "Format", "PhoneNumbers", "SignName", "TemplateCode", "TemplateParam", "Timestamp", "SignatureNonce", "SignatureMethod", "SignatureVersion", "Version", "RegionId", "OutId"} {
		if form.Get(k) == "" {
			json.NewEncoder(w).Encode(map[string]string{"Code": "MissingParameter", "Message": k, "RequestId": "r0"})
			return
		}
	}
	if form.Get("Signature") != refSign(http.MethodPost, form, "s3cret") {
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation.", "RequestId": "r1"})
		return
	}
	status, body := 200, map[string]string{"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r2"}
	if f.answer != nil {
		status, body = f.answer(form)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func TestAliyunSendSms(t *testing.T) {
	fake := &fakeAliyun{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	tpl, _ := notify.TemplateByCode(notify.TplBackgroundRejected)
	req := notify.SMSRequest{IdempotencyKey: "examd-42", Phone: "13800138000", Template: tpl, Signature: "漳州交通",
		Params: map[string]string{"name": "张三", "reason": "驾龄不足 3 年 & 其他*"}}

	cases := []struct {
		name      string
		secret    string
		answer    func(url.Values) (int, map[string]string)
		wantRef   string
		wantErr   string
		permanent bool
	}{
		{name: "accepted", secret: "s3cret", wantRef: "900619746936498440^0"},
		{name: "wrong secret is refused by the server", secret: "other", wantErr: "SignatureDoesNotMatch", permanent: true},
		{name: "flow control is retried", secret: "s3cret", answer: func(url.Values) (int, map[string]string) {
			return 200, map[string]string{"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控", "RequestId": "r3"}
		}, wantErr: "BUSINESS_LIMIT_CONTROL"},
		{name: "illegal number is permanent", secret: "s3cret", answer: func(url.Values) (int, map[string]string) {
			return 200, map[string]string{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号", "RequestId": "r4"}
		}, wantErr: "MOBILE_NUMBER_ILLEGAL", permanent: true},
		{name: "server error is retried", secret: "s3cret", answer: func(url.Values) (int, map[string]string) {
			return 503, map[string]string{"Code": "isp.SYSTEM_ERROR", "Message": "系统错误", "RequestId": "r5"}
		}, wantErr: "SYSTEM_ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake.answer = tc.answer
			p, err := providers.NewAliyunSMS(providers.AliyunConfig{Endpoint: srv.URL + "/", AccessKeyID: "LTAIexample", AccessKeySecret: tc.secret, Templates: allTemplates("SMS_9")}, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			ref, err := p.SendSMS(context.Background(), req)
			if tc.wantErr == "" {
				if err != nil || ref != tc.wantRef {
					t.Fatalf("ref %q err %v", ref, err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) || notify.IsPermanent(err) != tc.permanent {
				t.Fatalf("err = %v (permanent %v), want %s permanent=%v", err, notify.IsPermanent(err), tc.wantErr, tc.permanent)
			}
		})
	}
	form := fake.got[0]
	var params map[string]string
	if err := json.Unmarshal([]byte(form.Get("TemplateParam")), &params); err != nil || params["reason"] != "驾龄不足 3 年 & 其他*" {
		t.Fatalf("TemplateParam = %q", form.Get("TemplateParam"))
	}
	if form.Get("OutId") != "examd-42" || form.Get("SignName") != "漳州交通" || form.Get("PhoneNumbers") != "13800138000" || form.Get("Action") != "SendSms" {
		t.Fatalf("form = %v", form)
	}
	if form.Get("TemplateCode") != allTemplates("SMS_9")[notify.TplBackgroundRejected] {
		t.Fatalf("template code %q", form.Get("TemplateCode"))
	}
}

func TestAliyunNeedsEveryTemplateRegistered(t *testing.T) {
	tpls := allTemplates("SMS_")
	delete(tpls, notify.TplExamReminder)
	_, err := providers.NewAliyunSMS(providers.AliyunConfig{AccessKeyID: "a", AccessKeySecret: "b", Templates: tpls}, nil)
	if err == nil || !strings.Contains(err.Error(), "sms.aliyun.templates."+notify.TplExamReminder) {
		t.Fatalf("err = %v", err)
	}
	if _, err := providers.NewAliyunSMS(providers.AliyunConfig{Templates: allTemplates("SMS_")}, nil); err == nil || !strings.Contains(err.Error(), "access_key_secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestAliyunSignatureEscaping(t *testing.T) {
	// Characters where Go's QueryEscape and Aliyun's encoding differ.
	form := url.Values{"A": {"a b*c~d"}, "B": {"中文+/="}, "Signature": {"ignored"}}
	params := map[string]string{"A": "a b*c~d", "B": "中文+/=", "Signature": "ignored"}
	if got, want := providers.AliyunSignature("POST", params, "k"), refSign("POST", form, "k"); got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
}

// fakePost is an order interface in the China Post style: it checks the
// digest, gives a 13-digit waybill and answers a repeated txLogisticID
// with the first waybill.
type fakePost struct {
	mu     sync.Mutex
	orders map[string]string
	calls  int
	got    providers.ChinaPostOrder
	fail   string
}

func (f *fakePost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	body := r.PostForm.Get("logistics_interface")
	sum := md5.Sum([]byte(body + "post-key"))
	if r.PostForm.Get("data_digest") != base64.StdEncoding.EncodeToString(sum[:]) || r.PostForm.Get("msg_type") != "ORDERCREATE" || r.PostForm.Get("ecCompanyId") != "ZZJT" {
		json.NewEncoder(w).Encode(providers.ChinaPostAnswer{Success: "false", ErrorCode: "S01", ErrorMsg: "digest mismatch"})
		return
	}
	if f.fail != "" {
		json.NewEncoder(w).Encode(providers.ChinaPostAnswer{Success: "false", ErrorCode: f.fail, ErrorMsg: "failed"})
		return
	}
	var o providers.ChinaPostOrder
	if err := json.NewDecoder(bytes.NewReader([]byte(body))).Decode(&o); err != nil {
		json.NewEncoder(w).Encode(providers.ChinaPostAnswer{Success: "false", ErrorCode: "B02", ErrorMsg: "bad json"})
		return
	}
	f.got = o
	wb, ok := f.orders[o.TxLogisticID]
	if !ok {
		wb = fmt.Sprintf("98%011d", len(f.orders)+1)
		f.orders[o.TxLogisticID] = wb
	}
	json.NewEncoder(w).Encode(providers.ChinaPostAnswer{Success: "true", WaybillNo: wb, TxLogisticID: o.TxLogisticID})
}

func TestChinaPostOrder(t *testing.T) {
	fake := &fakePost{orders: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	order := notify.PostalOrder{Cargo: "从业资格证 x2", Reference: "cert:9",
		Sender:   notify.Address{Name: "交通运输局", Phone: "13600000000", Province: "福建省", City: "漳州市", County: "芗城区", Detail: "某路2号"},
		Receiver: notify.Address{Name: "赵六", Phone: "13700000007", Province: "福建省", City: "漳州市", County: "龙文区", Detail: "胜利路1号"}}
	p, err := providers.NewChinaPost(providers.ChinaPostConfig{Endpoint: srv.URL, PartnerID: "ZZJT", SecretKey: "post-key"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	wb, err := p.CreateOrder(context.Background(), "examd-5", order)
	if err != nil || len(wb) != 13 {
		t.Fatalf("waybill %q, %v", wb, err)
	}
	if g := fake.got; g.Receiver.County != "龙文区" || g.Receiver.Mobile != "13700000007" || g.Sender.Name != "交通运输局" || g.Cargos[0].CargoName != "从业资格证 x2" || g.TxLogisticID != "examd-5" {
		t.Fatalf("order on the wire: %+v", g)
	}
	again, err := p.CreateOrder(context.Background(), "examd-5", order)
	if err != nil || again != wb || len(fake.orders) != 1 {
		t.Fatalf("resend with the same key gave %q (%v), %d orders", again, err, len(fake.orders))
	}

	bad, _ := providers.NewChinaPost(providers.ChinaPostConfig{Endpoint: srv.URL, PartnerID: "ZZJT", SecretKey: "wrong"}, srv.Client())
	if _, err := bad.CreateOrder(context.Background(), "examd-6", order); err == nil || !notify.IsPermanent(err) {
		t.Fatalf("wrong key: %v", err)
	}
	fake.fail = "T01"
	if _, err := p.CreateOrder(context.Background(), "examd-7", order); err == nil || notify.IsPermanent(err) {
		t.Fatalf("temporary failure: %v", err)
	}
	if _, err := providers.NewChinaPost(providers.ChinaPostConfig{}, nil); err == nil || !strings.Contains(err.Error(), "postal.chinapost.endpoint") {
		t.Fatalf("missing config: %v", err)
	}
}

func TestLogSMSWritesTheLineTheBrowserTestsRead(t *testing.T) {
	var buf bytes.Buffer
	p := providers.LogSMS{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	tpl, _ := notify.TemplateByCode(notify.TplVerificationCode)
	if _, err := p.SendSMS(context.Background(), notify.SMSRequest{IdempotencyKey: "examd-1", Phone: "13800138000", Template: tpl, Params: map[string]string{"code": "123456"}, Signature: "签名"}); err != nil {
		t.Fatal(err)
	}
	line := buf.String()
	for _, want := range []string{`msg="sms sent"`, "provider=log", "to=138****8000", "template=verification_code", "code=123456", "【签名】您的验证码为123456"} {
		if !strings.Contains(line, want) {
			t.Fatalf("log line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "13800138000") {
		t.Fatal("full phone number in the log")
	}
}

func TestLogSMSMasksNames(t *testing.T) {
	var buf bytes.Buffer
	p := providers.LogSMS{Log: slog.New(slog.NewTextHandler(&buf, nil))}
	tpl, _ := notify.TemplateByCode(notify.TplBackgroundPassed)
	if _, err := p.SendSMS(context.Background(), notify.SMSRequest{IdempotencyKey: "examd-2", Phone: "13800138000", Template: tpl, Params: map[string]string{"name": "欧阳明"}}); err != nil {
		t.Fatal(err)
	}
	if line := buf.String(); strings.Contains(line, "欧阳明") || !strings.Contains(line, "欧**") {
		t.Fatalf("name not masked: %s", line)
	}
}
