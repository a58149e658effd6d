package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"taxiexam/cert"
	"taxiexam/internal/platform/apperr"
	"taxiexam/internal/platform/pii"
	"taxiexam/internal/platform/signing"
)

// ---- request and response types: certificates ----

// CertificateCard is a certificate as the candidate's phone shows it.
type CertificateCard struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind" doc:"taxi | ride_hailing"`
	Title          string `json:"title"`
	Version        int    `json:"version" doc:"1 = first issue; each replacement or reissue adds one"`
	LicenceID      string `json:"licence_id" doc:"GB/T 36904 e-licence identifier"`
	Holder         string `json:"holder"`
	IDNumberMasked string `json:"id_number_masked" doc:"the certificate number (the ID number, JT/T 905), masked"`
	Authority      string `json:"authority"`
	IssuedOn       string `json:"issued_on" doc:"date, 2006-01-02"`
	ExpiresOn      string `json:"expires_on" doc:"date, 2006-01-02 (last day of validity)"`
	Status         string `json:"status" doc:"valid | replaced | expired | revoked"`
	VerifyURL      string `json:"verify_url" doc:"what the QR code encodes"`
}

const civil = "2006-01-02"

func certCard(c cert.Card, holder string) CertificateCard {
	return CertificateCard{ID: c.ID, Kind: string(c.Kind), Title: c.Kind.Title(), Version: c.Version, LicenceID: c.LicenceID, Holder: holder,
		IDNumberMasked: c.MaskedIDNumber, Authority: c.Authority, IssuedOn: c.IssuedOn.Format(civil), ExpiresOn: c.ExpiresOn.Format(civil),
		Status: string(c.Live), VerifyURL: c.VerifyURL}
}

// DeliveryJSON is the parcel of a pass as the candidate sees it.
type DeliveryJSON struct {
	ID           int64        `json:"id"`
	Method       string       `json:"method" doc:"post | pickup"`
	Status       string       `json:"status" doc:"ordered | dispatched | delivered | preparing | at_office | collected"`
	Changeable   bool         `json:"changeable" doc:"the method can still change (until dispatch)"`
	OfficeID     int64        `json:"office_id"`
	Waybill      string       `json:"waybill"`
	Returned     bool         `json:"returned"`
	Receiver     ReceiverJSON `json:"receiver"`
	DispatchedAt *time.Time   `json:"dispatched_at"`
	CollectedAt  *time.Time   `json:"collected_at"`
	Version      int          `json:"version"`
}

func (s *Server) deliveryJSON(d cert.Delivery) DeliveryJSON {
	r := d.Receiver
	return DeliveryJSON{ID: d.ID, Method: d.Method, Status: string(d.Status), Changeable: d.Changeable(), OfficeID: d.OfficeID, Waybill: d.Waybill,
		Returned: d.Returned, Receiver: ReceiverJSON{Name: r.Name, Phone: r.Phone, Province: r.Province, City: r.City, County: r.County, Address: r.Address},
		DispatchedAt: s.atPtr(d.DispatchedAt), CollectedAt: s.atPtr(d.CollectedAt), Version: d.Version}
}

// DeliveryChangeRequest switches between post and pick-up.
type DeliveryChangeRequest struct {
	Version  int          `json:"version"`
	Method   string       `json:"method" doc:"post | pickup"`
	OfficeID int64        `json:"office_id" doc:"pickup: the issuing window"`
	Receiver ReceiverJSON `json:"receiver" doc:"post: where to send the parcel"`
}

// VerifyQuery carries the QR token.
type VerifyQuery struct {
	Token string `form:"token" doc:"the token of the QR link (its t parameter), or the whole link"`
}

// VerifyResult is what the public verify page shows for a genuine code.
type VerifyResult struct {
	Genuine        bool   `json:"genuine" doc:"always true: a code that is not genuine answers 422 certificate_not_genuine"`
	Status         string `json:"status" doc:"valid | replaced | expired | revoked"`
	CertificateID  int64  `json:"certificate_id"`
	Kind           string `json:"kind"`
	Title          string `json:"title"`
	Holder         string `json:"holder" doc:"masked"`
	IDNumberMasked string `json:"id_number_masked"`
	IssuedOn       string `json:"issued_on"`
	ExpiresOn      string `json:"expires_on"`
	Version        int    `json:"version"`
	LicenceID      string `json:"licence_id"`
	Authority      string `json:"authority"`
}

// PublicKeysJSON is the published key document for offline verifiers.
type PublicKeysJSON = signing.PublishedKeys

// ParcelJSON is a parcel in a window clerk's lists (holder data masked).
type ParcelJSON struct {
	ID             int64      `json:"id"`
	ApplicationID  int64      `json:"application_id"`
	Method         string     `json:"method"`
	Status         string     `json:"status"`
	Holder         string     `json:"holder" doc:"masked"`
	IDNumberMasked string     `json:"id_number_masked"`
	Receiver       string     `json:"receiver" doc:"masked name"`
	ReceiverPhone  string     `json:"receiver_phone" doc:"masked"`
	Destination    string     `json:"destination" doc:"province, city, county (the street is printed on the label only)"`
	Waybill        string     `json:"waybill"`
	Returned       bool       `json:"returned"`
	OrderedAt      *time.Time `json:"ordered_at"`
	ArrivedAt      *time.Time `json:"arrived_at"`
	CollectedAt    *time.Time `json:"collected_at"`
	CollectedBy    string     `json:"collected_by" doc:"masked name of who took the certificates"`
	Proxy          bool       `json:"proxy"`
	ProxyReason    string     `json:"proxy_reason"`
	Version        int        `json:"version"`
}

func (s *Server) parcelJSON(d cert.Delivery) ParcelJSON {
	r := d.Receiver
	return ParcelJSON{ID: d.ID, ApplicationID: d.ApplicationID, Method: d.Method, Status: string(d.Status), Holder: pii.MaskName(d.HolderName),
		IDNumberMasked: pii.MaskIDNumber(d.IDNumber), Receiver: pii.MaskName(r.Name), ReceiverPhone: pii.MaskPhone(r.Phone),
		Destination: r.Province + r.City + r.County, Waybill: d.Waybill, Returned: d.Returned, OrderedAt: s.atPtr(d.OrderedAt),
		ArrivedAt: s.atPtr(d.ArrivedAt), CollectedAt: s.atPtr(d.CollectedAt), CollectedBy: pii.MaskName(d.CollectedBy), Proxy: d.Proxy,
		ProxyReason: d.ProxyReason, Version: d.Version}
}

// ParcelDetail is one parcel with the certificates in it.
type ParcelDetail struct {
	ParcelJSON
	Certificates []CertificateCard `json:"certificates"`
}

// ParcelQuery filters a window's parcels.
type ParcelQuery struct {
	PageQuery
	Status   string `form:"status" doc:"ordered | dispatched | delivered | preparing | at_office | collected | returned (returned parcels, any status)"`
	IDNumber string `form:"id_number" doc:"the holder's full ID number (pick-up desk)"`
}

// WaybillRequest enters a parcel's waybill.
type WaybillRequest struct {
	Waybill string `json:"waybill" doc:"13 digits"`
}

// HandOverRequest records a hand-over at the window.
type HandOverRequest struct {
	Version      int    `json:"version"`
	IDNumber     string `json:"id_number" doc:"the full ID number, or its last digits (at least 4) with photo_checked"`
	PhotoChecked bool   `json:"photo_checked"`
	Proxy        bool   `json:"proxy"`
	ProxyName    string `json:"proxy_name"`
	ProxyReason  string `json:"proxy_reason"`
}

// CertificateSearchQuery filters the bureau's certificate search.
type CertificateSearchQuery struct {
	PageQuery
	IDNumber string `form:"id_number" doc:"the holder's full ID number"`
	Kind     string `form:"kind" doc:"taxi | ride_hailing"`
	Status   string `form:"status" doc:"valid | replaced | revoked"`
}

// CertificateEventJSON is one line of a certificate's history.
type CertificateEventJSON struct {
	At        time.Time `json:"at"`
	Action    string    `json:"action" doc:"issued | revoked | replaced | reissued"`
	ActorKind string    `json:"actor_kind"`
	ActorID   int64     `json:"actor_id"`
	Reason    string    `json:"reason"`
}

// CertificateDetail is a certificate with its history (bureau).
type CertificateDetail struct {
	CertificateCard
	CandidateID   int64                  `json:"candidate_id"`
	ApplicationID int64                  `json:"application_id"`
	ReplacedBy    int64                  `json:"replaced_by"`
	Reason        string                 `json:"reason"`
	Events        []CertificateEventJSON `json:"events"`
}

// CertificateActionRequest revokes, replaces or reissues a certificate.
type CertificateActionRequest struct {
	Reason   string `json:"reason"`
	Name     string `json:"name" doc:"reissue: the corrected name (empty = unchanged)"`
	IDNumber string `json:"id_number" doc:"reissue: the corrected ID number (empty = unchanged)"`
}

// CertificateFigures are the bureau's issuance and delivery figures.
type CertificateFigures struct {
	From        string           `json:"from"`
	To          string           `json:"to"`
	Issued      int64            `json:"issued" doc:"certificates issued (first versions) with an issue date in [from, to)"`
	Candidates  int64            `json:"candidates" doc:"candidates who received them"`
	ByKind      map[string]int64 `json:"by_kind"`
	Revoked     int64            `json:"revoked"`
	Replaced    int64            `json:"replaced"`
	Posted      int64            `json:"posted" doc:"parcels of those candidates sent by post"`
	PickedUp    int64            `json:"picked_up" doc:"parcels collected at a window"`
	Returned    int64            `json:"returned"`
	ByStatus    map[string]int64 `json:"by_status"`
	MailedShare float64          `json:"mailed_share" doc:"posted / all parcels"`
}

// CertFiguresQuery is a date range (civil dates, to exclusive).
type CertFiguresQuery struct {
	From string `form:"from" doc:"date 2006-01-02; default: 1 January this year"`
	To   string `form:"to" doc:"date 2006-01-02, exclusive; default: tomorrow"`
}

// ---- candidate ----

func (s *Server) myCertificates(c *gin.Context) (itemList[CertificateCard], error) {
	list, err := s.deps.Certs.MyCertificates(c.Request.Context())
	if err != nil {
		return itemList[CertificateCard]{}, err
	}
	return itemList[CertificateCard]{Items: mapSlice(list, func(x cert.Card) CertificateCard { return certCard(x, x.HolderName) })}, nil
}

func (s *Server) myCertificatePDF(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, card, err := s.deps.Certs.MyPDF(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="certificate-%s-v%d.pdf"`, card.Kind, card.Version))
	c.Data(http.StatusOK, "application/pdf", b)
}

func (s *Server) myCertificateQR(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, err := s.deps.Certs.MyQRPNG(c.Request.Context(), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "image/png", b)
}

func (s *Server) myCertificatePhoto(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, ctype, err := s.deps.Certs.MyPhoto(c.Request.Context(), id)
	servePhoto(c, b, ctype, err)
}

func servePhoto(c *gin.Context, b []byte, ctype string, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, ctype, b)
}

func (s *Server) myDeliveries(c *gin.Context) (itemList[DeliveryJSON], error) {
	list, err := s.deps.Certs.MyDeliveries(c.Request.Context())
	if err != nil {
		return itemList[DeliveryJSON]{}, err
	}
	return itemList[DeliveryJSON]{Items: mapSlice(list, s.deliveryJSON)}, nil
}

func (s *Server) changeDelivery(c *gin.Context, id int64, req DeliveryChangeRequest) (DeliveryJSON, error) {
	r := req.Receiver
	d, err := s.deps.Certs.ChangeDelivery(c.Request.Context(), id, cert.DeliveryChoice{Method: req.Method, OfficeID: req.OfficeID, Version: req.Version,
		Receiver: cert.Receiver{Name: r.Name, Phone: r.Phone, Province: r.Province, City: r.City, County: r.County, Address: r.Address}})
	if err != nil {
		return DeliveryJSON{}, err
	}
	return s.deliveryJSON(d), nil
}

// ---- public verification ----

func (s *Server) verifyCertificate(c *gin.Context) (VerifyResult, error) {
	v, err := s.deps.Certs.Verify(c.Request.Context(), c.Query("token"))
	if err != nil {
		return VerifyResult{}, err
	}
	cl := v.Claims
	return VerifyResult{Genuine: true, Status: string(v.Status), CertificateID: cl.CertificateID, Kind: string(cl.Kind), Title: cl.Kind.Title(),
		Holder: cl.Holder, IDNumberMasked: cl.IDNumber, IssuedOn: cl.IssuedOn.Format(civil), ExpiresOn: cl.ExpiresOn.Format(civil),
		Version: cl.Version, LicenceID: v.LicenceID, Authority: v.Authority}, nil
}

func (s *Server) verifiedPhoto(c *gin.Context) {
	b, ctype, err := s.deps.Certs.VerifiedPhoto(c.Request.Context(), c.Query("token"))
	servePhoto(c, b, ctype, err)
}

func (s *Server) certPublicKeys(c *gin.Context) (PublicKeysJSON, error) {
	c.Header("Cache-Control", "public, max-age=300")
	return s.deps.CertKeys.Published(), nil
}

// ---- window clerk ----

func parcelFilter(c *gin.Context, p pageReq) (cert.DeliveryFilter, error) {
	f := cert.DeliveryFilter{IDNumber: c.Query("id_number"), Offset: p.offset(), Limit: p.size}
	switch st := c.Query("status"); st {
	case "":
	case "returned":
		yes := true
		f.Returned = &yes
	case string(cert.DeliveryOrdered), string(cert.DeliveryDispatched), string(cert.DeliveryDelivered), string(cert.DeliveryPreparing),
		string(cert.DeliveryAtOffice), string(cert.DeliveryCollected):
		f.Status = []cert.DeliveryStatus{cert.DeliveryStatus(st)}
	default:
		return f, apperr.Invalid(apperr.Fields{"status": rsnUnknownParcelStatus})
	}
	if f.IDNumber != "" && len(f.IDNumber) != 18 {
		return f, apperr.Invalid(apperr.Fields{"id_number": apperr.IDNumber18()})
	}
	return f, nil
}

func (s *Server) windowParcels(c *gin.Context, p pageReq) ([]ParcelJSON, int64, error) {
	f, err := parcelFilter(c, p)
	if err != nil {
		return nil, 0, err
	}
	list, total, err := s.deps.Certs.Parcels(c.Request.Context(), f)
	if err != nil {
		return nil, 0, err
	}
	return mapSlice(list, s.parcelJSON), total, nil
}

func (s *Server) windowParcel(c *gin.Context, id int64) (ParcelDetail, error) {
	d, cards, err := s.deps.Certs.Parcel(c.Request.Context(), id)
	if err != nil {
		return ParcelDetail{}, err
	}
	return ParcelDetail{ParcelJSON: s.parcelJSON(d), Certificates: mapSlice(cards, func(x cert.Card) CertificateCard { return certCard(x, x.MaskedName) })}, nil
}

func (s *Server) windowParcelPhoto(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	b, ctype, err := s.deps.Certs.ParcelPhoto(c.Request.Context(), id)
	servePhoto(c, b, ctype, err)
}

func (s *Server) windowParcelStep(step func(ctx context.Context, id int64) (cert.Delivery, error)) gin.HandlerFunc {
	return withID(func(c *gin.Context, id int64) (ParcelJSON, error) {
		d, err := step(c.Request.Context(), id)
		if err != nil {
			return ParcelJSON{}, err
		}
		return s.parcelJSON(d), nil
	})
}

func (s *Server) enterWaybill(c *gin.Context, id int64, req WaybillRequest) (ParcelJSON, error) {
	d, err := s.deps.Certs.EnterWaybill(c.Request.Context(), id, req.Waybill)
	if err != nil {
		return ParcelJSON{}, err
	}
	return s.parcelJSON(d), nil
}

func (s *Server) handOverParcel(c *gin.Context, id int64, req HandOverRequest) (ParcelJSON, error) {
	d, err := s.deps.Certs.HandOverParcel(c.Request.Context(), id, cert.HandOver{IDNumber: req.IDNumber, PhotoChecked: req.PhotoChecked, Proxy: req.Proxy,
		ProxyName: req.ProxyName, ProxyReason: req.ProxyReason, Version: req.Version})
	if err != nil {
		return ParcelJSON{}, err
	}
	return s.parcelJSON(d), nil
}

func (s *Server) parcelLabels(c *gin.Context) {
	b, err := s.deps.Certs.ParcelSheet(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}

// ---- bureau ----

func (s *Server) searchCertificates(c *gin.Context, p pageReq) ([]CertificateDetail, int64, error) {
	list, total, err := s.deps.Certs.Search(c.Request.Context(), cert.Filter{IDNumber: c.Query("id_number"), Kind: cert.Kind(c.Query("kind")),
		Status: cert.Status(c.Query("status")), Offset: p.offset(), Limit: p.size})
	if err != nil {
		return nil, 0, err
	}
	return mapSlice(list, func(x cert.Card) CertificateDetail { return s.certDetail(cert.Detail{Card: x}) }), total, nil
}

func (s *Server) certDetail(d cert.Detail) CertificateDetail {
	return CertificateDetail{CertificateCard: certCard(d.Card, d.MaskedName), CandidateID: d.CandidateID, ApplicationID: d.ApplicationID,
		ReplacedBy: d.ReplacedBy, Reason: d.Reason, Events: mapSlice(d.Events, func(e cert.Event) CertificateEventJSON {
			return CertificateEventJSON{At: s.at(e.At), Action: e.Action, ActorKind: e.ActorKind, ActorID: e.ActorID, Reason: e.Reason}
		})}
}

func (s *Server) getCertificate(c *gin.Context, id int64) (CertificateDetail, error) {
	d, err := s.deps.Certs.Certificate(c.Request.Context(), id)
	if err != nil {
		return CertificateDetail{}, err
	}
	return s.certDetail(d), nil
}

func (s *Server) certificateAction(action string) gin.HandlerFunc {
	return withIDBody(func(c *gin.Context, id int64, req CertificateActionRequest) (CertificateDetail, error) {
		var card cert.Card
		var err error
		switch action {
		case cert.ActionRevoked:
			card, err = s.deps.Certs.Revoke(c.Request.Context(), id, req.Reason)
		case cert.ActionReplaced:
			card, err = s.deps.Certs.Replace(c.Request.Context(), id, req.Reason)
		default:
			card, err = s.deps.Certs.Reissue(c.Request.Context(), id, req.Reason, cert.Correction{Name: req.Name, IDNumber: req.IDNumber})
		}
		if err != nil {
			return CertificateDetail{}, err
		}
		return s.certDetail(cert.Detail{Card: card}), nil
	})
}

func (s *Server) certificateFigures(c *gin.Context) (CertificateFigures, error) {
	loc := s.deps.Config.Location
	now := time.Now().In(loc)
	from := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	bad := apperr.Fields{}
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(civil, v)
			bad.Check(err == nil, name, apperr.Date())
			*dst = t
		}
	}
	if err := bad.Err(); err != nil {
		return CertificateFigures{}, err
	}
	f, err := s.deps.Certs.Figures(c.Request.Context(), from, to)
	if err != nil {
		return CertificateFigures{}, err
	}
	out := CertificateFigures{From: from.Format(civil), To: to.Format(civil), Issued: f.Issued, Candidates: f.Candidates, ByKind: map[string]int64{},
		Revoked: f.Revoked, Replaced: f.Replaced, Posted: f.Posted, PickedUp: f.PickedUp, Returned: f.Returned, ByStatus: map[string]int64{},
		MailedShare: f.MailedShare}
	for k, n := range f.ByKind {
		out.ByKind[string(k)] = n
	}
	for k, n := range f.ByStatus {
		out.ByStatus[string(k)] = n
	}
	return out, nil
}
