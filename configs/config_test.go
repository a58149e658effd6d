package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestEmbeddedDefaultLoads(t *testing.T) {
	t.Parallel()
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() || c.Location.String() != "Asia/Shanghai" || c.Server.ShutdownTimeout != 20*time.Second {
		t.Fatalf("unexpected default: %+v", c)
	}
}

func TestEnvironmentOverrides(t *testing.T) {
	t.Parallel()
	c, err := Load("", env(map[string]string{
		"EXAMD_SERVER_ADDR":              "127.0.0.1:9999",
		"EXAMD_DATABASE_DRIVER":          "mysql",
		"EXAMD_DATABASE_DSN":             "root@tcp(127.0.0.1:3306)/test",
		"EXAMD_SECURITY_LOCKOUT":         "1h",
		"EXAMD_SERVER_SECURE_COOKIES":    "true",
		"EXAMD_SERVER_TRUSTED_PROXIES":   "10.0.0.0/8, 127.0.0.1",
		"EXAMD_DATABASE_MAX_OPEN_CONNS":  "7",
		"EXAMD_BOOTSTRAP_ADMIN_PASSWORD": "s3cret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "127.0.0.1:9999" || c.Database.Driver != "mysql" || c.Database.DSN == "" ||
		c.Security.Lockout != time.Hour || !c.Server.SecureCookies || len(c.Server.TrustedProxies) != 2 ||
		c.Database.MaxOpenConns != 7 || c.Bootstrap.AdminPassword != "s3cret" {
		t.Fatalf("overrides not applied: %+v", c)
	}
}

func TestBadSettingsAreNamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"driver", map[string]string{"EXAMD_DATABASE_DRIVER": "oracle"}, "database.driver"},
		{"mysql without dsn", map[string]string{"EXAMD_DATABASE_DRIVER": "mysql"}, "database.dsn"},
		{"timezone", map[string]string{"EXAMD_TIMEZONE": "Mars/Olympus"}, "timezone"},
		{"addr", map[string]string{"EXAMD_SERVER_ADDR": "nohost"}, "server.addr"},
		{"duration", map[string]string{"EXAMD_SECURITY_LOCKOUT": "soon"}, "EXAMD_SECURITY_LOCKOUT"},
		{"keys required", map[string]string{"EXAMD_SECURITY_GENERATE_MISSING_KEYS": "false"}, "security.data_keys"},
		{"short blind key", map[string]string{"EXAMD_SECURITY_BLIND_INDEX_KEY": "c2hvcnQ="}, "security.blind_index_key"},
		{"quiet hours", map[string]string{"EXAMD_SMS_QUIET_START": "25:00"}, "sms.quiet_start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load("", env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error naming %s, got %v", tt.want, err)
			}
		})
	}
}

func TestSecretsComeFromFilesNotYAML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsnFile := filepath.Join(dir, "dsn")
	if err := os.WriteFile(dsnFile, []byte("u:p@tcp(db:3306)/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "c.yaml")
	body := strings.Replace(string(embeddedDefault), "driver: sqlite", "driver: mysql\n  dsn_file: "+dsnFile, 1)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(cfg, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.DSN != "u:p@tcp(db:3306)/x" {
		t.Fatalf("dsn from file: %q", c.Database.DSN)
	}
	// A secret written straight into YAML is an unknown key, not a silent leak.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(embeddedDefault), "driver: sqlite", "driver: sqlite\n  dsn: oops", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad, env(nil)); err == nil || !strings.Contains(err.Error(), "dsn") {
		t.Fatalf("want unknown-field error for dsn in yaml, got %v", err)
	}
}
