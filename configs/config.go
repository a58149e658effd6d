// Package configs loads the one configuration of examd.
//
// config.yaml (embedded) is the default; a file given with -config replaces
// it; EXAMD_* environment variables override single keys. Secrets are never
// read from YAML: they come from the environment or from a *_file path, and
// String() never prints them.
package configs

import (
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed config.yaml
var embeddedDefault []byte

// Config is the whole configuration. Parsed once in main and passed down.
type Config struct {
	DataDir  string `yaml:"data_dir"`
	Timezone string `yaml:"timezone"`
	City     string `yaml:"city"`

	Server    Server    `yaml:"server"`
	Database  Database  `yaml:"database"`
	Redis     Redis     `yaml:"redis"`
	Security  Security  `yaml:"security"`
	SMS       SMS       `yaml:"sms"`
	Postal    Postal    `yaml:"postal"`
	Notify    Notify    `yaml:"notify"`
	Log       Log       `yaml:"log"`
	Bootstrap Bootstrap `yaml:"bootstrap"`
	Booking   Booking   `yaml:"booking"`
	Testing   Testing   `yaml:"testing"`
	Cert      Cert      `yaml:"cert"`
	Ledger    Ledger    `yaml:"ledger"`
	Archive   Archive   `yaml:"archive"`

	// Location is Timezone loaded; set by Load.
	Location *time.Location `yaml:"-"`
}

// Cert configures the certificates (cert): who issues them, for how long,
// and where parcels are posted from.
type Cert struct {
	Authority     string `yaml:"authority"`      // printed on the certificate
	IssuerCode    string `yaml:"issuer_code"`    // the authority's 18-character unified social credit code
	ValidityYears int    `yaml:"validity_years"` // docs/certificates.md says where 6 comes from
	// DispatchOfficeID is the issuing window that posts parcels and takes
	// the returned ones.
	DispatchOfficeID int64      `yaml:"dispatch_office_id"`
	Sender           CertSender `yaml:"sender"`
	// VerifyPerMinute bounds public verifications per client address and
	// node (0: 60).
	VerifyPerMinute int `yaml:"verify_per_minute"`
}

// Ledger configures the tamper-evident ledger (internal/ledger).
type Ledger struct {
	// CheckpointInterval is how often a signed checkpoint of the chain's
	// head is taken (when it moved); 0 = only on demand.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// Archive configures the archive (internal/archive): where bulk exports
// are kept, how long a period one may cover, and the retention rule.
type Archive struct {
	ExportDir     string          `yaml:"export_dir"`      // empty: <data_dir>/archive-exports
	MaxExportDays int             `yaml:"max_export_days"` // a bulk export covers at most this many days
	Retention     []RetentionRule `yaml:"retention"`
}

// RetentionRule says what is deleted or anonymised how many years on
// (docs/archives.md lists the subjects).
type RetentionRule struct {
	What   string `yaml:"what"`
	Years  int    `yaml:"years"`
	Action string `yaml:"action"` // delete | anonymise
}

// CertSender is the sender of postal orders.
type CertSender struct {
	Name     string `yaml:"name"`
	Phone    string `yaml:"phone"`
	Province string `yaml:"province"`
	City     string `yaml:"city"`
	County   string `yaml:"county"`
	Address  string `yaml:"address"`
}

type Server struct {
	Addr             string        `yaml:"addr"`
	PublicURL        string        `yaml:"public_url"`
	BodyLimitBytes   int64         `yaml:"body_limit_bytes"`
	UploadLimitBytes int64         `yaml:"upload_limit_bytes"`
	SecureCookies    bool          `yaml:"secure_cookies"`
	TrustedProxies   []string      `yaml:"trusted_proxies"`
	ShutdownTimeout  time.Duration `yaml:"shutdown_timeout"`
	// ContendedSlots bookings (and other writes on one hot row) run at once
	// per node; the rest wait in arrival order up to ContendedWait, then
	// get 503 + Retry-After (api/admission.go).
	ContendedSlots int           `yaml:"contended_slots"`
	ContendedWait  time.Duration `yaml:"contended_wait"`
	// ---- security: where Prometheus scrapes ----
	// MetricsAddr serves /metrics on its own listener (e.g. 127.0.0.1:9464,
	// reachable only from the monitoring network); the app listener then
	// answers 404 there. Empty: /metrics is on the app listener and needs
	// MetricsToken as a bearer token (no token: not served at all).
	MetricsAddr  string `yaml:"metrics_addr"`
	MetricsToken string `yaml:"-" secret:"true" env:"EXAMD_SERVER_METRICS_TOKEN"`
}

type Database struct {
	Driver          string        `yaml:"driver"`
	DSN             string        `yaml:"-" secret:"true" env:"EXAMD_DATABASE_DSN"`
	DSNFile         string        `yaml:"dsn_file"`
	MaxOpenConns    int           `yaml:"max_open_conns"`
	MaxIdleConns    int           `yaml:"max_idle_conns"`
	ConnMaxLifetime time.Duration `yaml:"conn_max_lifetime"`
}

type Redis struct {
	Addr         string `yaml:"addr"`
	Password     string `yaml:"-" secret:"true" env:"EXAMD_REDIS_PASSWORD"`
	PasswordFile string `yaml:"password_file"`
	DB           int    `yaml:"db"`
	Prefix       string `yaml:"prefix"`
}

type Security struct {
	DataKeys          string `yaml:"-" secret:"true" env:"EXAMD_SECURITY_DATA_KEYS"`
	DataKeysFile      string `yaml:"data_keys_file"`
	BlindIndexKey     string `yaml:"-" secret:"true" env:"EXAMD_SECURITY_BLIND_INDEX_KEY"`
	BlindIndexKeyFile string `yaml:"blind_index_key_file"`
	// SigningKeys sign admission tickets and certificates (Ed25519,
	// "id:base64(32-byte seed)", comma separated; the first signs).
	SigningKeys     string `yaml:"-" secret:"true" env:"EXAMD_SECURITY_SIGNING_KEYS"`
	SigningKeysFile string `yaml:"signing_keys_file"`
	// SigningAlgorithm is the algorithm of a generated key: ed25519 or sm2
	// (the 国密 option). Configured keys say their own ("id:sm2:base64").
	SigningAlgorithm     string        `yaml:"signing_algorithm"`
	GenerateMissingKeys  bool          `yaml:"generate_missing_keys"`
	StaffSessionTTL      time.Duration `yaml:"staff_session_ttl"`
	CandidateSessionTTL  time.Duration `yaml:"candidate_session_ttl"`
	MaxLoginFailures     int           `yaml:"max_login_failures"`
	SMSCodesPerIPPerHour int           `yaml:"sms_codes_per_ip_per_hour"`
	StaffLoginsPerIP     int           `yaml:"staff_logins_per_ip"`
	Lockout              time.Duration `yaml:"lockout"`
	// MFARequiredRoles must log in with a TOTP second factor (anyone may
	// turn it on); MFAIssuer names the account in the authenticator app
	// (empty: the city's name and 出租汽车考试).
	MFARequiredRoles []string `yaml:"mfa_required_roles"`
	MFAIssuer        string   `yaml:"mfa_issuer"`
}

type SMS struct {
	Provider   string    `yaml:"provider"`
	Signature  string    `yaml:"signature"`
	QuietStart string    `yaml:"quiet_start"`
	QuietEnd   string    `yaml:"quiet_end"`
	Aliyun     AliyunSMS `yaml:"aliyun"`
}

// AliyunSMS configures sms.provider=aliyun (SendSms API).
type AliyunSMS struct {
	Endpoint            string `yaml:"endpoint"`
	Region              string `yaml:"region"`
	AccessKeyID         string `yaml:"access_key_id"`
	AccessKeySecret     string `yaml:"-" secret:"true" env:"EXAMD_SMS_ALIYUN_ACCESS_KEY_SECRET"`
	AccessKeySecretFile string `yaml:"access_key_secret_file"`
	// Templates maps each message template (internal/notify/templates.go)
	// to the code Aliyun registered it under; env: "code=SMS_1,code2=SMS_2".
	Templates map[string]string `yaml:"templates"`
}

// Postal configures how postal orders are placed.
type Postal struct {
	Provider  string        `yaml:"provider"` // manual | chinapost
	ChinaPost ChinaPost     `yaml:"chinapost"`
	Sender    PostalAddress `yaml:"sender"`
}

// ChinaPost configures postal.provider=chinapost.
type ChinaPost struct {
	Endpoint      string `yaml:"endpoint"`
	PartnerID     string `yaml:"partner_id"`
	SecretKey     string `yaml:"-" secret:"true" env:"EXAMD_POSTAL_CHINAPOST_SECRET_KEY"`
	SecretKeyFile string `yaml:"secret_key_file"`
}

// PostalAddress is the sender of certificate parcels (the bureau).
type PostalAddress struct {
	Name     string `yaml:"name"`
	Phone    string `yaml:"phone"`
	Province string `yaml:"province"`
	City     string `yaml:"city"`
	County   string `yaml:"county"`
	Detail   string `yaml:"detail"`
}

// Notify tunes the notification queue (outbox relay and workers).
type Notify struct {
	MaxAttempts       int           `yaml:"max_attempts"`
	BackoffBase       time.Duration `yaml:"backoff_base"`
	BackoffMax        time.Duration `yaml:"backoff_max"`
	SendTimeout       time.Duration `yaml:"send_timeout"`
	VisibilityTimeout time.Duration `yaml:"visibility_timeout"`
	RequeueAfter      time.Duration `yaml:"requeue_after"`
	RelayInterval     time.Duration `yaml:"relay_interval"`
	BatchSize         int           `yaml:"batch_size"`
	Consumers         int           `yaml:"consumers"`
}

type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Booking holds the bureau's booking rules (exam/booking), shown to the
// candidate before they confirm.
type Booking struct {
	Cutoff                time.Duration `yaml:"cutoff"`              // booking, rescheduling and cancelling close this long before the start
	MaxCancellations      int           `yaml:"max_cancellations"`   // cancellations or reschedules within cancellation_window ...
	CancellationWindow    time.Duration `yaml:"cancellation_window"` // ...
	CoolingOff            time.Duration `yaml:"cooling_off"`         // ... make the candidate wait this long before booking again
	OfferHold             time.Duration `yaml:"offer_hold"`          // a freed seat is held this long for the first waitlisted candidate
	ReminderAt            string        `yaml:"reminder_at"`         // local time on the day before the session for the exam-eve SMS
	PerCandidatePerMinute int           `yaml:"per_candidate_per_minute"`
	PerIPPerMinute        int           `yaml:"per_ip_per_minute"`
	Bring                 string        `yaml:"bring"`          // what the ticket tells the candidate to bring
	SweepInterval         time.Duration `yaml:"sweep_interval"` // offers expiry, sessions closing, rounds allocating (every node)
}

// Testing switches exist for browser tests only; production leaves them off.
type Testing struct {
	// ClockControl lets a bureau admin move this node's clock forward
	// (POST /api/v1/testing/clock) so a browser test can reach the eve of
	// an exam. Refused together with secure_cookies (a real deployment).
	ClockControl bool `yaml:"clock_control"`
}

type Bootstrap struct {
	AdminUsername string `yaml:"admin_username"`
	AdminPassword string `yaml:"-" secret:"true" env:"EXAMD_BOOTSTRAP_ADMIN_PASSWORD"`
}

// Load reads path (or the embedded default when path is empty), applies the
// environment (lookup is os.LookupEnv in main, a map in tests), reads secret
// files and validates. The error names the offending setting.
func Load(path string, lookup func(string) (string, bool)) (*Config, error) {
	raw := embeddedDefault
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config file: %w", err)
		}
		raw = b
	}
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config file %s: %w", nameOr(path), err)
	}
	if err := applyEnv(reflect.ValueOf(&c).Elem(), "EXAMD", lookup); err != nil {
		return nil, err
	}
	if err := c.readSecretFiles(); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func nameOr(path string) string {
	if path == "" {
		return "(embedded config.yaml)"
	}
	return path
}

// applyEnv walks the struct and overrides each leaf from EXAMD_<PATH>.
func applyEnv(v reflect.Value, prefix string, lookup func(string) (string, bool)) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		envName := f.Tag.Get("env")
		if name == "-" && envName == "" {
			continue
		}
		if envName == "" {
			envName = prefix + "_" + strings.ToUpper(name)
		}
		fv := v.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
			if err := applyEnv(fv, envName, lookup); err != nil {
				return err
			}
			continue
		}
		s, ok := lookup(envName)
		if !ok {
			continue
		}
		if err := setFromString(fv, s); err != nil {
			return fmt.Errorf("setting %s: %w", envName, err)
		}
	}
	return nil
}

func setFromString(fv reflect.Value, s string) error {
	switch {
	case fv.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("not a duration like 30s or 15m: %q", s)
		}
		fv.SetInt(int64(d))
	case fv.Kind() == reflect.String:
		fv.SetString(s)
	case fv.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("not true/false: %q", s)
		}
		fv.SetBool(b)
	case fv.Kind() == reflect.Int, fv.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer: %q", s)
		}
		fv.SetInt(n)
	case fv.Kind() == reflect.Map && fv.Type().Key().Kind() == reflect.String && fv.Type().Elem().Kind() == reflect.String:
		m := map[string]string{}
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				return fmt.Errorf("want key=value,key=value, got %q", p)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
		fv.Set(reflect.ValueOf(m))
	case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
		var parts []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		fv.Set(reflect.ValueOf(parts))
	default:
		return fmt.Errorf("unsupported type %s", fv.Type())
	}
	return nil
}

func (c *Config) readSecretFiles() error {
	for _, s := range []struct {
		name string
		file string
		dst  *string
	}{
		{"database.dsn_file", c.Database.DSNFile, &c.Database.DSN},
		{"redis.password_file", c.Redis.PasswordFile, &c.Redis.Password},
		{"security.data_keys_file", c.Security.DataKeysFile, &c.Security.DataKeys},
		{"security.blind_index_key_file", c.Security.BlindIndexKeyFile, &c.Security.BlindIndexKey},
		{"security.signing_keys_file", c.Security.SigningKeysFile, &c.Security.SigningKeys},
		{"sms.aliyun.access_key_secret_file", c.SMS.Aliyun.AccessKeySecretFile, &c.SMS.Aliyun.AccessKeySecret},
		{"postal.chinapost.secret_key_file", c.Postal.ChinaPost.SecretKeyFile, &c.Postal.ChinaPost.SecretKey},
	} {
		if s.file == "" || *s.dst != "" {
			continue // the environment wins over the file
		}
		b, err := os.ReadFile(s.file)
		if err != nil {
			return fmt.Errorf("setting %s: %w", s.name, err)
		}
		*s.dst = strings.TrimSpace(string(b))
	}
	return nil
}

func (c *Config) validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("setting %s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		bad("timezone", "unknown zone %q", c.Timezone)
	}
	c.Location = loc
	if _, _, err := net.SplitHostPort(c.Server.Addr); err != nil {
		bad("server.addr", "want host:port, got %q", c.Server.Addr)
	}
	if u, err := url.Parse(c.Server.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("server.public_url", "want an absolute http(s) URL, got %q", c.Server.PublicURL)
	}
	if c.Server.BodyLimitBytes <= 0 {
		bad("server.body_limit_bytes", "must be positive")
	}
	if c.Server.UploadLimitBytes <= 0 {
		bad("server.upload_limit_bytes", "must be positive")
	}
	if c.Server.ContendedSlots <= 0 {
		bad("server.contended_slots", "must be positive")
	}
	if c.Server.ContendedWait <= 0 {
		bad("server.contended_wait", "must be positive")
	}
	for _, p := range c.Server.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("server.trusted_proxies", "not an IP or CIDR: %q", p)
		}
	}
	switch c.Database.Driver {
	case "sqlite":
	case "mysql":
		if c.Database.DSN == "" {
			bad("database.dsn", "required for mysql: set EXAMD_DATABASE_DSN or database.dsn_file")
		}
	default:
		bad("database.driver", "want sqlite or mysql, got %q", c.Database.Driver)
	}
	if c.Database.MaxOpenConns <= 0 {
		bad("database.max_open_conns", "must be positive")
	}
	if c.Redis.Prefix == "" {
		bad("redis.prefix", "must not be empty (keys of several deployments would mix)")
	}
	if !c.Security.GenerateMissingKeys {
		if c.Security.DataKeys == "" {
			bad("security.data_keys", "required: set EXAMD_SECURITY_DATA_KEYS or security.data_keys_file")
		}
		if c.Security.BlindIndexKey == "" {
			bad("security.blind_index_key", "required: set EXAMD_SECURITY_BLIND_INDEX_KEY or security.blind_index_key_file")
		}
		if c.Security.SigningKeys == "" {
			bad("security.signing_keys", "required: set EXAMD_SECURITY_SIGNING_KEYS or security.signing_keys_file")
		}
	}
	if c.Security.BlindIndexKey != "" {
		if k, err := base64.StdEncoding.DecodeString(c.Security.BlindIndexKey); err != nil || len(k) < 32 {
			bad("security.blind_index_key", "want base64 of at least 32 bytes")
		}
	}
	if c.Security.StaffSessionTTL <= 0 || c.Security.CandidateSessionTTL <= 0 {
		bad("security.*_session_ttl", "must be positive")
	}
	if c.Security.MaxLoginFailures <= 0 {
		bad("security.max_login_failures", "must be positive")
	}
	if len(c.Cert.IssuerCode) != 18 {
		bad("cert.issuer_code", "want the issuing authority's 18-character unified social credit code")
	}
	if c.Cert.ValidityYears <= 0 || c.Cert.Authority == "" {
		bad("cert.validity_years/authority", "required")
	}
	if a := c.Security.SigningAlgorithm; a != "" && a != "ed25519" && a != "sm2" {
		bad("security.signing_algorithm", "want ed25519 or sm2, got %q", a)
	}
	switch c.SMS.Provider {
	case "log":
	case "aliyun":
		if c.SMS.Aliyun.AccessKeyID == "" {
			bad("sms.aliyun.access_key_id", "required for sms.provider aliyun")
		}
		if c.SMS.Aliyun.AccessKeySecret == "" {
			bad("sms.aliyun.access_key_secret", "required for sms.provider aliyun: set EXAMD_SMS_ALIYUN_ACCESS_KEY_SECRET or sms.aliyun.access_key_secret_file")
		}
		if c.SMS.Signature == "" {
			bad("sms.signature", "required for sms.provider aliyun (the registered 签名)")
		}
	default:
		bad("sms.provider", "want log or aliyun, got %q", c.SMS.Provider)
	}
	switch c.Postal.Provider {
	case "manual":
	case "chinapost":
		if c.Postal.ChinaPost.Endpoint == "" || c.Postal.ChinaPost.PartnerID == "" {
			bad("postal.chinapost", "endpoint and partner_id are required for postal.provider chinapost")
		}
		if c.Postal.ChinaPost.SecretKey == "" {
			bad("postal.chinapost.secret_key", "required: set EXAMD_POSTAL_CHINAPOST_SECRET_KEY or postal.chinapost.secret_key_file")
		}
	default:
		bad("postal.provider", "want manual or chinapost, got %q", c.Postal.Provider)
	}
	if c.Booking.Cutoff < 0 || c.Booking.CancellationWindow <= 0 || c.Booking.CoolingOff < 0 || c.Booking.OfferHold <= 0 || c.Booking.SweepInterval <= 0 {
		bad("booking", "cutoff, cooling_off >= 0; cancellation_window, offer_hold, sweep_interval > 0")
	}
	if c.Cert.VerifyPerMinute < 0 {
		bad("cert.verify_per_minute", "must not be negative (0 means 60)")
	}
	if c.Booking.MaxCancellations < 0 || c.Booking.PerCandidatePerMinute < 0 || c.Booking.PerIPPerMinute < 0 {
		bad("booking", "max_cancellations and the rate limits must not be negative")
	}
	if _, err := time.Parse("15:04", c.Booking.ReminderAt); err != nil {
		bad("booking.reminder_at", "want HH:MM, got %q", c.Booking.ReminderAt)
	}
	if c.Testing.ClockControl && c.Server.SecureCookies {
		bad("testing.clock_control", "only for test configurations (not with server.secure_cookies)")
	}
	if c.Archive.MaxExportDays < 1 || c.Archive.MaxExportDays > 3660 {
		bad("archive.max_export_days", "want 1 to 3660")
	}
	if c.Ledger.CheckpointInterval < 0 {
		bad("ledger.checkpoint_interval", "must not be negative")
	}
	if c.Notify.MaxAttempts <= 0 {
		bad("notify.max_attempts", "must be positive")
	}
	if c.Notify.BatchSize <= 0 || c.Notify.BatchSize > 1000 {
		bad("notify.batch_size", "want 1 to 1000")
	}
	if c.Notify.Consumers <= 0 {
		bad("notify.consumers", "must be positive")
	}
	for name, d := range map[string]time.Duration{"notify.backoff_base": c.Notify.BackoffBase, "notify.backoff_max": c.Notify.BackoffMax,
		"notify.send_timeout": c.Notify.SendTimeout, "notify.visibility_timeout": c.Notify.VisibilityTimeout,
		"notify.requeue_after": c.Notify.RequeueAfter, "notify.relay_interval": c.Notify.RelayInterval} {
		if d <= 0 {
			bad(name, "must be a positive duration")
		}
	}
	if c.Notify.VisibilityTimeout <= c.Notify.SendTimeout {
		bad("notify.visibility_timeout", "must be longer than notify.send_timeout (%s), or a slow send is handed to a second worker", c.Notify.SendTimeout)
	}
	for name, v := range map[string]string{"sms.quiet_start": c.SMS.QuietStart, "sms.quiet_end": c.SMS.QuietEnd} {
		if _, err := time.Parse("15:04", v); err != nil {
			bad(name, "want HH:MM, got %q", v)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "want text or json, got %q", c.Log.Format)
	}
	return errors.Join(errs...)
}

// Embedded reports whether this configuration runs without external services.
func (c *Config) Embedded() bool {
	return c.Database.Driver == "sqlite" && c.Redis.Addr == ""
}
