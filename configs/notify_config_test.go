package configs

import (
	"strings"
	"testing"
)

func TestNotifySettings(t *testing.T) {
	c, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMS.Provider != "log" || c.Postal.Provider != "manual" || c.Notify.MaxAttempts <= 0 || c.Notify.VisibilityTimeout <= c.Notify.SendTimeout {
		t.Fatalf("embedded notify settings: %+v %+v %+v", c.SMS, c.Postal, c.Notify)
	}

	// The production example loads once its secrets are given.
	prod, err := Load("production.example.yaml", env(map[string]string{
		"EXAMD_DATABASE_DSN": "u:p@tcp(db:3306)/examd", "EXAMD_SECURITY_DATA_KEYS": "k1:" + strings.Repeat("A", 43) + "=",
		"EXAMD_SECURITY_BLIND_INDEX_KEY": strings.Repeat("A", 43) + "=", "EXAMD_REDIS_PASSWORD": "x",
		"EXAMD_SECURITY_SIGNING_KEYS":        "s1:" + strings.Repeat("A", 43) + "=",
		"EXAMD_SMS_ALIYUN_ACCESS_KEY_SECRET": "s", "EXAMD_POSTAL_CHINAPOST_SECRET_KEY": "k",
		"EXAMD_SMS_ALIYUN_TEMPLATES": "verification_code=SMS_1, exam_reminder=SMS_2",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if prod.SMS.Aliyun.AccessKeySecret != "s" || prod.Postal.ChinaPost.SecretKey != "k" || prod.SMS.Aliyun.Templates["exam_reminder"] != "SMS_2" || len(prod.SMS.Aliyun.Templates) != 2 {
		t.Fatalf("production notify settings: %+v %+v", prod.SMS.Aliyun, prod.Postal)
	}

	for _, tc := range []struct {
		env  map[string]string
		name string
	}{
		{map[string]string{"EXAMD_SMS_PROVIDER": "aliyun"}, "sms.aliyun.access_key_secret"},
		{map[string]string{"EXAMD_POSTAL_PROVIDER": "pigeon"}, "postal.provider"},
		{map[string]string{"EXAMD_POSTAL_PROVIDER": "chinapost"}, "postal.chinapost.secret_key"},
		{map[string]string{"EXAMD_NOTIFY_MAX_ATTEMPTS": "0"}, "notify.max_attempts"},
		{map[string]string{"EXAMD_NOTIFY_VISIBILITY_TIMEOUT": "5s"}, "notify.visibility_timeout"},
		{map[string]string{"EXAMD_SMS_ALIYUN_TEMPLATES": "nonsense"}, "EXAMD_SMS_ALIYUN_TEMPLATES"},
	} {
		if _, err := Load("", env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%v: err = %v, want it to name %s", tc.env, err, tc.name)
		}
	}
}
