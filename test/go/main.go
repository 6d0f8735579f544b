// Command kesconformance drives a KES-compatible server through the official Go client
// (github.com/minio/kms-go/kes v0.3.1, the version MinIO and KES pin) and prints one JSON line per
// check: {"check":"<name>","ok":true|false,"detail":"..."}. It calls every client method MinIO uses and
// checks the sentinel errors with errors.Is, which compares status code and message exactly.
//
// Usage: kesconformance -endpoint https://127.0.0.1:7373 -ca server.crt -admin-key kes:v1:... \
//
//	-user-key kes:v1:... -user-policy NAME -prefix RUNID
//
// API keys may also come from KVK_ADMIN_API_KEY / KVK_USER_API_KEY so that they stay off the process list.
// The server must run with a policy NAME for the user identity that allows generate, decrypt and
// describe on "<prefix>*" and denies generate on "<prefix>-denied*". The exit code is 1 when a check fails.
package main

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/minio/kms-go/kes"
)

type result struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

var failed bool

func report(name string, err error) {
	r := result{Check: name, OK: err == nil}
	if err != nil {
		r.Detail = err.Error()
		failed = true
	}
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// expectErr checks that err is exactly the sentinel want (status and message).
func expectErr(err, want error) error {
	if err == nil {
		return fmt.Errorf("got no error, want %q", want)
	}
	if !errors.Is(err, want) {
		var kerr kes.Error
		if errors.As(err, &kerr) {
			return fmt.Errorf("got %d %q, want %q", kerr.Status(), kerr.Error(), want)
		}
		return fmt.Errorf("got %T %q, want %q", err, err, want)
	}
	return nil
}

func newClient(endpoint, apiKey string, roots *x509.CertPool) (*kes.Client, kes.Identity, error) {
	key, err := kes.ParseAPIKey(apiKey)
	if err != nil {
		return nil, "", fmt.Errorf("parse api key: %w", err)
	}
	cert, err := kes.GenerateCertificate(key)
	if err != nil {
		return nil, "", err
	}
	// The same TLS settings MinIO uses (internal/kms/config.go): TLS 1.2+, session cache.
	client := kes.NewClientWithConfig(endpoint, &tls.Config{
		MinVersion:         tls.VersionTLS12,
		Certificates:       []tls.Certificate{cert},
		RootCAs:            roots,
		ClientSessionCache: tls.NewLRUClientSessionCache(100),
	})
	return client, key.Identity(), nil
}

// sealAES seals plaintext the way KES does for AES256 keys: k' = HMAC-SHA256(key, iv), AES-256-GCM,
// output = aead || iv(16) || nonce(12).
func sealAES(key, plaintext, aad []byte) []byte {
	iv, nonce := make([]byte, 16), make([]byte, 12)
	rand.Read(iv)
	rand.Read(nonce)
	aead := kesAEAD(key, iv)
	out := aead.Seal(nil, nonce, plaintext, aad)
	return append(append(out, iv...), nonce...)
}

func openAES(key, ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) <= 28 {
		return nil, errors.New("ciphertext too short")
	}
	n := len(ciphertext)
	iv, nonce := ciphertext[n-28:n-12], ciphertext[n-12:]
	return kesAEAD(key, iv).Open(nil, nonce, ciphertext[:n-28], aad)
}

func kesAEAD(key, iv []byte) cipher.AEAD {
	mac := hmac.New(sha256.New, key)
	mac.Write(iv)
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

func main() {
	endpoint := flag.String("endpoint", "", "server endpoint, https://host:port")
	caFile := flag.String("ca", "", "PEM file with the server's certificate or CA")
	adminKey := flag.String("admin-key", os.Getenv("KVK_ADMIN_API_KEY"), "admin API key")
	userKey := flag.String("user-key", os.Getenv("KVK_USER_API_KEY"), "API key of a policy-bound identity")
	userPolicy := flag.String("user-policy", "", "name of the user's policy")
	prefix := flag.String("prefix", "", "unique key-name prefix for this run")
	flag.Parse()
	if *endpoint == "" || *caFile == "" || *adminKey == "" || *userKey == "" || *userPolicy == "" || *prefix == "" {
		fmt.Fprintln(os.Stderr, "usage: kesconformance -endpoint URL -ca FILE -admin-key KEY -user-key KEY -user-policy NAME -prefix P")
		os.Exit(2)
	}
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		fmt.Fprintln(os.Stderr, "no certificate in", *caFile)
		os.Exit(2)
	}
	admin, adminID, err := newClient(*endpoint, *adminKey, roots)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	user, userID, err := newClient(*endpoint, *userKey, roots)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	runChecks(ctx, admin, adminID, user, userID, *userPolicy, *prefix)
	report("TLS/resumed-session-identity", resumedSessionIdentity(ctx, *endpoint, *adminKey, roots, adminID))
	if failed {
		os.Exit(1)
	}
}

func runChecks(ctx context.Context, admin *kes.Client, adminID kes.Identity, user *kes.Client, userID kes.Identity, userPolicy, p string) {
	start := time.Now().Add(-time.Minute)
	keyA := p + "-a"        // created
	keyImp := p + "-imp"    // imported with known material
	keyDel := p + "-del"    // created, then deleted
	denied := p + "-denied" // exists, but the user's policy denies generate
	missing := p + "-missing"
	material := make([]byte, 32)
	rand.Read(material)
	aad := []byte(`{"bucket":"bucket/object"}`)

	report("Version", func() error {
		v, err := admin.Version(ctx)
		if err != nil {
			return err
		}
		if v == "" {
			return errors.New("empty version")
		}
		return nil
	}())

	report("Status", func() error {
		s, err := admin.Status(ctx)
		if err != nil {
			return err
		}
		if s.OS == "" || s.Arch == "" || s.CPUs <= 0 || s.UsableCPUs <= 0 {
			return fmt.Errorf("incomplete status %+v", s)
		}
		if !s.KeyStoreReachable || !s.KeystoreAvailable {
			return fmt.Errorf("keystore not reachable/available: %+v", s)
		}
		return nil
	}())

	report("APIs", func() error {
		apis, err := admin.APIs(ctx)
		if err != nil {
			return err
		}
		want := map[string]string{
			"/version": "GET", "/v1/status": "GET", "/v1/api": "GET", "/v1/metrics": "GET",
			"/v1/key/create/": "PUT", "/v1/key/import/": "PUT", "/v1/key/describe/": "GET",
			"/v1/key/list/": "GET", "/v1/key/delete/": "DELETE", "/v1/key/generate/": "PUT",
			"/v1/key/encrypt/": "PUT", "/v1/key/decrypt/": "PUT", "/v1/key/hmac/": "PUT",
			"/v1/policy/describe/": "GET", "/v1/policy/read/": "GET", "/v1/policy/list/": "GET",
			"/v1/identity/describe/": "GET", "/v1/identity/list/": "GET", "/v1/identity/self/describe": "GET",
		}
		got := map[string]string{}
		for _, a := range apis {
			got[a.Path] = a.Method
		}
		var problems []string
		for path, method := range want {
			if got[path] != method {
				problems = append(problems, fmt.Sprintf("%s: got %q want %q", path, got[path], method))
			}
		}
		slices.Sort(problems)
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	}())

	report("CreateKey", admin.CreateKey(ctx, keyA))
	report("CreateKey/ErrKeyExists", expectErr(admin.CreateKey(ctx, keyA), kes.ErrKeyExists))
	report("CreateKey/second", admin.CreateKey(ctx, keyDel))
	report("CreateKey/denied-key", admin.CreateKey(ctx, denied))

	report("ImportKey", admin.ImportKey(ctx, keyImp, &kes.ImportKeyRequest{Key: material, Cipher: kes.AES256}))
	report("ImportKey/ErrKeyExists", expectErr(admin.ImportKey(ctx, keyImp, &kes.ImportKeyRequest{Key: material, Cipher: kes.AES256}), kes.ErrKeyExists))

	report("DescribeKey", func() error {
		info, err := admin.DescribeKey(ctx, keyImp)
		if err != nil {
			return err
		}
		if info.Name != keyImp || info.Algorithm != kes.AES256 || info.CreatedBy != adminID {
			return fmt.Errorf("got name=%q algorithm=%v created_by=%q, want %q AES256 %q", info.Name, info.Algorithm, info.CreatedBy, keyImp, adminID)
		}
		if info.CreatedAt.Before(start) || info.CreatedAt.After(time.Now().Add(time.Minute)) {
			return fmt.Errorf("created_at %v is not recent", info.CreatedAt)
		}
		return nil
	}())
	report("DescribeKey/ErrKeyNotFound", func() error { _, err := admin.DescribeKey(ctx, missing); return expectErr(err, kes.ErrKeyNotFound) }())

	report("ListKeys/prefix", func() error {
		names, next, err := admin.ListKeys(ctx, p, -1)
		if err != nil {
			return err
		}
		want := []string{keyA, keyDel, denied, keyImp}
		slices.Sort(want)
		slices.Sort(names)
		if !slices.Equal(names, want) || next != "" {
			return fmt.Errorf("got %v continue_at=%q, want %v", names, next, want)
		}
		return nil
	}())
	report("ListKeys/all", func() error {
		// An empty prefix makes the client request /v1/key/list (no trailing slash): the Go server redirects.
		names, _, err := admin.ListKeys(ctx, "", -1)
		if err != nil {
			return err
		}
		for _, n := range []string{keyA, keyImp} {
			if !slices.Contains(names, n) {
				return fmt.Errorf("%q missing from %v", n, names)
			}
		}
		return nil
	}())

	report("GenerateKey", func() error {
		dek, err := admin.GenerateKey(ctx, keyA, aad)
		if err != nil {
			return err
		}
		if len(dek.Plaintext) != 32 || len(dek.Ciphertext) != 76 {
			return fmt.Errorf("plaintext %d bytes, ciphertext %d bytes; want 32 and 76", len(dek.Plaintext), len(dek.Ciphertext))
		}
		plain, err := admin.Decrypt(ctx, keyA, dek.Ciphertext, aad)
		if err != nil {
			return fmt.Errorf("decrypt: %w", err)
		}
		if !bytes.Equal(plain, dek.Plaintext) {
			return errors.New("decrypted DEK differs from generated plaintext")
		}
		return nil
	}())
	report("GenerateKey/empty-context", func() error {
		dek, err := admin.GenerateKey(ctx, keyA, nil)
		if err != nil {
			return err
		}
		plain, err := admin.Decrypt(ctx, keyA, dek.Ciphertext, nil)
		if err != nil {
			return err
		}
		if !bytes.Equal(plain, dek.Plaintext) {
			return errors.New("round trip differs")
		}
		return nil
	}())
	report("GenerateKey/ErrKeyNotFound", func() error {
		_, err := admin.GenerateKey(ctx, missing, nil)
		return expectErr(err, kes.ErrKeyNotFound)
	}())

	report("Encrypt+Decrypt", func() error {
		msg := []byte("conformance message")
		ct, err := admin.Encrypt(ctx, keyA, msg, aad)
		if err != nil {
			return err
		}
		pt, err := admin.Decrypt(ctx, keyA, ct, aad)
		if err != nil {
			return err
		}
		if !bytes.Equal(pt, msg) {
			return errors.New("round trip differs")
		}
		return nil
	}())
	report("Encrypt/ciphertext-format", func() error {
		// The server's ciphertext under imported key material opens with KES' AES construction here.
		msg := []byte("format check")
		ct, err := admin.Encrypt(ctx, keyImp, msg, aad)
		if err != nil {
			return err
		}
		pt, err := openAES(material, ct, aad)
		if err != nil {
			return fmt.Errorf("local open of the server's ciphertext: %w", err)
		}
		if !bytes.Equal(pt, msg) {
			return errors.New("local open differs")
		}
		return nil
	}())
	report("Decrypt/foreign-ciphertext", func() error {
		// A ciphertext sealed here with KES' AES construction decrypts on the server.
		msg := []byte("sealed by the client")
		pt, err := admin.Decrypt(ctx, keyImp, sealAES(material, msg, aad), aad)
		if err != nil {
			return err
		}
		if !bytes.Equal(pt, msg) {
			return errors.New("decrypted text differs")
		}
		return nil
	}())
	report("Decrypt/ErrDecrypt-context", func() error {
		dek, err := admin.GenerateKey(ctx, keyA, aad)
		if err != nil {
			return err
		}
		_, err = admin.Decrypt(ctx, keyA, dek.Ciphertext, []byte(`{"bucket":"bucket/other"}`))
		return expectErr(err, kes.ErrDecrypt)
	}())
	report("Decrypt/ErrDecrypt-tampered", func() error {
		dek, err := admin.GenerateKey(ctx, keyA, aad)
		if err != nil {
			return err
		}
		dek.Ciphertext[0] ^= 1
		_, err = admin.Decrypt(ctx, keyA, dek.Ciphertext, aad)
		return expectErr(err, kes.ErrDecrypt)
	}())
	report("Decrypt/ErrDecrypt-short", func() error {
		_, err := admin.Decrypt(ctx, keyA, make([]byte, 20), nil)
		return expectErr(err, kes.ErrDecrypt)
	}())
	report("Decrypt/ErrKeyNotFound", func() error {
		_, err := admin.Decrypt(ctx, missing, make([]byte, 76), nil)
		return expectErr(err, kes.ErrKeyNotFound)
	}())

	report("HMAC", func() error {
		m1, err := admin.HMAC(ctx, keyA, []byte("root access key"))
		if err != nil {
			return err
		}
		m2, err := admin.HMAC(ctx, keyA, []byte("root access key"))
		if err != nil {
			return err
		}
		m3, err := admin.HMAC(ctx, keyA, []byte("root secret key"))
		if err != nil {
			return err
		}
		if len(m1) != 32 || !bytes.Equal(m1, m2) || bytes.Equal(m1, m3) {
			return fmt.Errorf("want a stable 32-byte HMAC per message; got %x, %x, %x", m1, m2, m3)
		}
		return nil
	}())
	report("HMAC/ErrKeyNotFound", func() error {
		_, err := admin.HMAC(ctx, missing, []byte("m"))
		return expectErr(err, kes.ErrKeyNotFound)
	}())

	report("DeleteKey", func() error {
		if err := admin.DeleteKey(ctx, keyDel); err != nil {
			return err
		}
		_, err := admin.DescribeKey(ctx, keyDel)
		return expectErr(err, kes.ErrKeyNotFound)
	}())

	report("DescribePolicy", func() error {
		info, err := admin.DescribePolicy(ctx, userPolicy)
		if err != nil {
			return err
		}
		if info.Name != userPolicy || info.CreatedBy != adminID || info.CreatedAt.IsZero() {
			return fmt.Errorf("got %+v, want name %q created by %q", info, userPolicy, adminID)
		}
		return nil
	}())
	report("DescribePolicy/ErrPolicyNotFound", func() error {
		_, err := admin.DescribePolicy(ctx, p+"-nopolicy")
		return expectErr(err, kes.ErrPolicyNotFound)
	}())
	report("GetPolicy", func() error {
		pol, err := admin.GetPolicy(ctx, userPolicy)
		if err != nil {
			return err
		}
		allow := []string{"/v1/key/decrypt/" + p + "*", "/v1/key/describe/" + p + "*", "/v1/key/generate/" + p + "*"}
		deny := []string{"/v1/key/generate/" + p + "-denied*"}
		got := func(m map[string]kes.Rule) []string {
			var s []string
			for k := range m {
				s = append(s, k)
			}
			slices.Sort(s)
			return s
		}
		if !slices.Equal(got(pol.Allow), allow) || !slices.Equal(got(pol.Deny), deny) {
			return fmt.Errorf("got allow %v deny %v, want allow %v deny %v", got(pol.Allow), got(pol.Deny), allow, deny)
		}
		return nil
	}())
	report("ListPolicies", func() error {
		names, _, err := admin.ListPolicies(ctx, "", -1)
		if err != nil {
			return err
		}
		if !slices.Contains(names, userPolicy) {
			return fmt.Errorf("%q missing from %v", userPolicy, names)
		}
		return nil
	}())

	report("DescribeIdentity/user", func() error {
		info, err := admin.DescribeIdentity(ctx, userID)
		if err != nil {
			return err
		}
		if info.Policy != userPolicy || info.IsAdmin || info.CreatedBy != adminID {
			return fmt.Errorf("got %+v, want policy %q, not admin, created by %q", info, userPolicy, adminID)
		}
		return nil
	}())
	report("DescribeIdentity/admin", func() error {
		info, err := admin.DescribeIdentity(ctx, adminID)
		if err != nil {
			return err
		}
		if !info.IsAdmin {
			return fmt.Errorf("got %+v, want admin", info)
		}
		return nil
	}())
	report("DescribeIdentity/ErrIdentityNotFound", func() error {
		_, err := admin.DescribeIdentity(ctx, kes.Identity(strings.Repeat("ab", 32)))
		return expectErr(err, kes.ErrIdentityNotFound)
	}())
	report("ListIdentities", func() error {
		ids, _, err := admin.ListIdentities(ctx, "", -1)
		if err != nil {
			return err
		}
		if !slices.Contains(ids, adminID) || !slices.Contains(ids, userID) {
			return fmt.Errorf("want admin %q and user %q in %v", adminID, userID, ids)
		}
		return nil
	}())
	report("DescribeSelf/admin", func() error {
		info, _, err := admin.DescribeSelf(ctx)
		if err != nil {
			return err
		}
		if info.Identity != adminID || !info.IsAdmin {
			return fmt.Errorf("got %+v, want admin %q", info, adminID)
		}
		return nil
	}())
	report("DescribeSelf/user", func() error {
		info, pol, err := user.DescribeSelf(ctx)
		if err != nil {
			return err
		}
		if info.Identity != userID || info.IsAdmin || info.Policy != userPolicy || len(pol.Allow) != 3 {
			return fmt.Errorf("got %+v policy %+v, want user %q with policy %q", info, pol, userID, userPolicy)
		}
		return nil
	}())

	report("Policy/user-generate-allowed", func() error {
		dek, err := user.GenerateKey(ctx, keyA, aad)
		if err != nil {
			return err
		}
		_, err = user.Decrypt(ctx, keyA, dek.Ciphertext, aad)
		return err
	}())
	report("Policy/ErrNotAllowed-create", expectErr(user.CreateKey(ctx, p+"-user"), kes.ErrNotAllowed))
	report("Policy/ErrNotAllowed-deny-wins", func() error { _, err := user.GenerateKey(ctx, denied, nil); return expectErr(err, kes.ErrNotAllowed) }())
	report("Policy/ErrNotAllowed-status", func() error { _, err := user.Status(ctx); return expectErr(err, kes.ErrNotAllowed) }())

	report("Metrics", func() error {
		m, err := admin.Metrics(ctx)
		if err != nil {
			return err
		}
		if m.RequestOK == 0 || m.RequestErr == 0 || m.CPUs <= 0 {
			return fmt.Errorf("want success and error counters and CPUs > 0; got ok=%d err=%d cpus=%d", m.RequestOK, m.RequestErr, m.CPUs)
		}
		return nil
	}())
}

// resumedSessionIdentity checks that a second connection which resumes the first one's TLS session (as
// MinIO's session cache makes it) is still recognised as the same identity.
func resumedSessionIdentity(ctx context.Context, endpoint, apiKey string, roots *x509.CertPool, want kes.Identity) error {
	key, err := kes.ParseAPIKey(apiKey)
	if err != nil {
		return err
	}
	cert, err := kes.GenerateCertificate(key)
	if err != nil {
		return err
	}
	cache := tls.NewLRUClientSessionCache(10)
	var resumed atomic.Bool
	newClient := func() *kes.Client {
		cfg := &tls.Config{
			MinVersion:         tls.VersionTLS12,
			Certificates:       []tls.Certificate{cert},
			RootCAs:            roots,
			ClientSessionCache: cache,
			NextProtos:         []string{"h2", "http/1.1"},
		}
		transport := &http.Transport{
			ForceAttemptHTTP2: true,
			TLSClientConfig:   cfg,
			DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := (&tls.Dialer{Config: cfg}).DialContext(ctx, network, addr)
				if err == nil && conn.(*tls.Conn).ConnectionState().DidResume {
					resumed.Store(true)
				}
				return conn, err
			},
		}
		return &kes.Client{Endpoints: []string{endpoint}, HTTPClient: http.Client{Transport: transport}}
	}
	for i := 0; i < 2; i++ {
		c := newClient()
		info, _, err := c.DescribeSelf(ctx)
		if err != nil {
			return fmt.Errorf("connection %d: %w", i+1, err)
		}
		if info.Identity != want {
			return fmt.Errorf("connection %d: identity %q, want %q", i+1, info.Identity, want)
		}
		c.HTTPClient.CloseIdleConnections()
	}
	if !resumed.Load() {
		return errors.New("the second connection did not resume the TLS session")
	}
	return nil
}
