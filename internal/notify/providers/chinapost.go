package providers

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"taxiexam/internal/notify"
)

// ChinaPostConfig configures the postal order client.
type ChinaPostConfig struct {
	Endpoint  string // the order interface URL given by the post office
	PartnerID string // ecCompanyId: the sender's customer code
	SecretKey string // shared key for data_digest
}

// ChinaPost places orders through an order interface in the style of China
// Post's (EMS) e-commerce order API:
//
//	POST <endpoint>  (application/x-www-form-urlencoded)
//	  logistics_interface  the order as JSON (see chinaPostOrder)
//	  data_digest          base64(md5(logistics_interface + secret key))
//	  msg_type             ORDERCREATE
//	  ecCompanyId          partner id
//	answer: {"success":"true","waybillNo":"1234567890123","txLogisticID":"..."}
//	     or {"success":"false","errorCode":"B01","errorMsg":"..."}
//
// txLogisticID is the outbox idempotency key: the carrier answers a repeated
// txLogisticID with the waybill of the first order instead of a new parcel.
type ChinaPost struct {
	cfg    ChinaPostConfig
	client *http.Client
	now    func() time.Time
}

// NewChinaPost checks the configuration.
func NewChinaPost(cfg ChinaPostConfig, client *http.Client) (*ChinaPost, error) {
	var missing []string
	if u, err := url.Parse(cfg.Endpoint); cfg.Endpoint == "" || err != nil || u.Host == "" {
		missing = append(missing, "postal.chinapost.endpoint")
	}
	if cfg.PartnerID == "" {
		missing = append(missing, "postal.chinapost.partner_id")
	}
	if cfg.SecretKey == "" {
		missing = append(missing, "postal.chinapost.secret_key (EXAMD_POSTAL_CHINAPOST_SECRET_KEY)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("china post: missing settings: %s", strings.Join(missing, ", "))
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &ChinaPost{cfg: cfg, client: client, now: time.Now}, nil
}

// ChinaPostParty is a sender or receiver on the wire.
type ChinaPostParty struct {
	Name    string `json:"name"`
	Mobile  string `json:"mobile"`
	Prov    string `json:"prov"`
	City    string `json:"city"`
	County  string `json:"county"`
	Address string `json:"address"`
}

// ChinaPostCargo is one item of the parcel.
type ChinaPostCargo struct {
	CargoName     string `json:"cargoName"`
	CargoQuantity int    `json:"cargoQuantity"`
}

// ChinaPostOrder is logistics_interface.
type ChinaPostOrder struct {
	TxLogisticID string           `json:"txLogisticID"`
	EcCompanyID  string           `json:"ecCompanyId"`
	CreatedTime  string           `json:"createdTime"`
	Sender       ChinaPostParty   `json:"sender"`
	Receiver     ChinaPostParty   `json:"receiver"`
	Cargos       []ChinaPostCargo `json:"cargos"`
	Remark       string           `json:"remark"`
}

// ChinaPostAnswer is the interface's answer.
type ChinaPostAnswer struct {
	Success      string `json:"success"`
	WaybillNo    string `json:"waybillNo"`
	TxLogisticID string `json:"txLogisticID"`
	ErrorCode    string `json:"errorCode"`
	ErrorMsg     string `json:"errorMsg"`
}

func party(a notify.Address) ChinaPostParty {
	return ChinaPostParty{Name: a.Name, Mobile: a.Phone, Prov: a.Province, City: a.City, County: a.County, Address: a.Detail}
}

// ChinaPostDigest is data_digest for a body and key.
func ChinaPostDigest(body, key string) string {
	sum := md5.Sum([]byte(body + key))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var waybillRE = regexp.MustCompile(`^\d{13}$`)

// permanentChinaPost are answers about the order itself (bad address,
// bad data, bad credentials): resending the same order cannot help.
var permanentChinaPost = map[string]bool{"B01": true, "B02": true, "S01": true, "S02": true}

func (c *ChinaPost) CreateOrder(ctx context.Context, key string, o notify.PostalOrder) (string, error) {
	order := ChinaPostOrder{TxLogisticID: key, EcCompanyID: c.cfg.PartnerID, CreatedTime: c.now().In(shanghai).Format("2006-01-02 15:04:05"),
		Sender: party(o.Sender), Receiver: party(o.Receiver), Cargos: []ChinaPostCargo{{CargoName: o.Cargo, CargoQuantity: 1}}, Remark: o.Reference}
	body, err := json.Marshal(order)
	if err != nil {
		return "", notify.Permanent(err)
	}
	form := url.Values{
		"logistics_interface": {string(body)},
		"data_digest":         {ChinaPostDigest(string(body), c.cfg.SecretKey)},
		"msg_type":            {"ORDERCREATE"},
		"ecCompanyId":         {c.cfg.PartnerID},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	res, err := c.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("china post: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("china post: read answer: %w", err)
	}
	if res.StatusCode >= 500 {
		return "", fmt.Errorf("china post: HTTP %d", res.StatusCode)
	}
	var ans ChinaPostAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return "", fmt.Errorf("china post: HTTP %d, answer not JSON: %.200s", res.StatusCode, raw)
	}
	if ans.Success != "true" {
		e := fmt.Errorf("china post: %s: %s", ans.ErrorCode, ans.ErrorMsg)
		if permanentChinaPost[ans.ErrorCode] {
			return "", notify.Permanent(e)
		}
		return "", e
	}
	if ans.WaybillNo == "" {
		return "", ErrNoWaybill
	}
	if !waybillRE.MatchString(ans.WaybillNo) {
		return "", fmt.Errorf("china post: waybill %q is not 13 digits", ans.WaybillNo)
	}
	return ans.WaybillNo, nil
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()
