package providers

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"taxiexam/internal/notify"
)

// AliyunConfig configures the Aliyun SMS client.
type AliyunConfig struct {
	Endpoint        string // default https://dysmsapi.aliyuncs.com/
	RegionID        string // default cn-hangzhou
	AccessKeyID     string
	AccessKeySecret string
	// Templates maps each notify template code to the code Aliyun gave it
	// when it was registered (SMS_123456789). Every template must be mapped.
	Templates map[string]string
}

// AliyunSMS sends SMS with Aliyun's SendSms API (version 2017-05-25, RPC
// style, signature method HMAC-SHA1 version 1.0). The outbox id travels as
// OutId, so the carrier's receipts can be matched to the message.
type AliyunSMS struct {
	cfg    AliyunConfig
	client *http.Client
	now    func() time.Time
	nonce  func() string
}

// NewAliyunSMS checks the configuration: credentials and a registered
// code for every template the product sends.
func NewAliyunSMS(cfg AliyunConfig, client *http.Client) (*AliyunSMS, error) {
	if cfg.Endpoint == "" {
		cfg.Endpoint = "https://dysmsapi.aliyuncs.com/"
	}
	if cfg.RegionID == "" {
		cfg.RegionID = "cn-hangzhou"
	}
	var missing []string
	if cfg.AccessKeyID == "" {
		missing = append(missing, "sms.aliyun.access_key_id")
	}
	if cfg.AccessKeySecret == "" {
		missing = append(missing, "sms.aliyun.access_key_secret (EXAMD_SMS_ALIYUN_ACCESS_KEY_SECRET)")
	}
	for _, t := range notify.Templates() {
		if cfg.Templates[t.Code] == "" {
			missing = append(missing, "sms.aliyun.templates."+t.Code)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("aliyun sms: missing settings: %s", strings.Join(missing, ", "))
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &AliyunSMS{cfg: cfg, client: client, now: time.Now, nonce: randomNonce}, nil
}

func randomNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// aliyunResponse is SendSms's answer.
type aliyunResponse struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	BizID     string `json:"BizId"`
	RequestID string `json:"RequestId"`
}

// permanentAliyun lists codes that retrying cannot fix.
var permanentAliyun = map[string]bool{
	"isv.MOBILE_NUMBER_ILLEGAL":       true,
	"isv.SMS_TEMPLATE_ILLEGAL":        true,
	"isv.SMS_SIGNATURE_ILLEGAL":       true,
	"isv.TEMPLATE_MISSING_PARAMETERS": true,
	"isv.INVALID_PARAMETERS":          true,
	"isv.PARAM_LENGTH_LIMIT":          true,
	"isv.BLACK_KEY_CONTROL_LIMIT":     true,
	"isv.MOBILE_COUNT_OVER_LIMIT":     true,
	"isv.AMOUNT_NOT_ENOUGH":           false, // the bureau tops up; retry later
	"InvalidAccessKeyId.NotFound":     true,
	"SignatureDoesNotMatch":           true,
}

func (a *AliyunSMS) SendSMS(ctx context.Context, r notify.SMSRequest) (string, error) {
	params, err := json.Marshal(r.Params)
	if err != nil {
		return "", notify.Permanent(err)
	}
	q := map[string]string{
		"AccessKeyId":      a.cfg.AccessKeyID,
		"Action":           "SendSms",
		"Format":           "JSON",
		"OutId":            r.IdempotencyKey,
		"PhoneNumbers":     r.Phone,
		"RegionId":         a.cfg.RegionID,
		"SignName":         r.Signature,
		"SignatureMethod":  "HMAC-SHA1",
		"SignatureNonce":   a.nonce(),
		"SignatureVersion": "1.0",
		"TemplateCode":     a.cfg.Templates[r.Template.Code],
		"TemplateParam":    string(params),
		"Timestamp":        a.now().UTC().Format("2006-01-02T15:04:05Z"),
		"Version":          "2017-05-25",
	}
	q["Signature"] = AliyunSignature(http.MethodPost, q, a.cfg.AccessKeySecret)
	form := url.Values{}
	for k, v := range q {
		form.Set(k, v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.cfg.Endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := a.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("aliyun sms: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("aliyun sms: read answer: %w", err)
	}
	var ar aliyunResponse
	if err := json.Unmarshal(body, &ar); err != nil {
		return "", fmt.Errorf("aliyun sms: HTTP %d, answer not JSON: %.200s", res.StatusCode, body)
	}
	if ar.Code == "OK" {
		return ar.BizID, nil
	}
	e := fmt.Errorf("aliyun sms: %s: %s (request %s)", ar.Code, ar.Message, ar.RequestID)
	if permanentAliyun[ar.Code] {
		return "", notify.Permanent(e)
	}
	return "", e
}

// aliyunEscape is Aliyun's percent-encoding: RFC 3986 unreserved characters
// stay, everything else is %XX (space is %20, * is %2A, ~ stays).
func aliyunEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// AliyunSignature signs RPC-style parameters (signature version 1.0):
// StringToSign = METHOD & escape("/") & escape(sorted "k=v" joined by &),
// Signature = base64(HMAC-SHA1(secret + "&", StringToSign)).
func AliyunSignature(method string, params map[string]string, secret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = aliyunEscape(k) + "=" + aliyunEscape(params[k])
	}
	toSign := method + "&" + aliyunEscape("/") + "&" + aliyunEscape(strings.Join(parts, "&"))
	mac := hmac.New(sha1.New, []byte(secret+"&"))
	mac.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ErrNoWaybill is returned when the carrier accepts an order without a number.
var ErrNoWaybill = errors.New("carrier accepted the order but returned no waybill number")
