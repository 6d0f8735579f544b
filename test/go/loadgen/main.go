// Command loadgen drives a KES-compatible server with N concurrent clients of the official Go client
// (github.com/minio/kms-go/kes v0.3.1, MinIO's), each with its own HTTP/2 connection over mTLS with an
// Ed25519 certificate made from the API key, in a closed loop: generate or decrypt on one key.
// It prints one JSON object: ops, seconds, ops_per_sec, p50_us, p99_us, errors, first_error.
//
// Usage: loadgen -endpoint https://127.0.0.1:7373 -ca server.crt -key bench -op generate -clients 32 \
//
//	-duration 3s -warmup 500ms      (API key from KVK_API_KEY)
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/kms-go/kes"
)

type summary struct {
	Ops        int     `json:"ops"`
	Seconds    float64 `json:"seconds"`
	OpsPerSec  float64 `json:"ops_per_sec"`
	P50us      float64 `json:"p50_us"`
	P99us      float64 `json:"p99_us"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}

func main() {
	endpoint := flag.String("endpoint", "", "server endpoint")
	caFile := flag.String("ca", "", "server certificate / CA (PEM)")
	keyName := flag.String("key", "bench", "key name")
	op := flag.String("op", "generate", "generate | decrypt")
	clients := flag.Int("clients", 1, "concurrent clients, one HTTP/2 connection each")
	duration := flag.Duration("duration", 3*time.Second, "measured time")
	warmup := flag.Duration("warmup", 500*time.Millisecond, "unmeasured time first (connections, caches)")
	flag.Parse()
	apiKey := os.Getenv("KVK_API_KEY")
	if *endpoint == "" || *caFile == "" || apiKey == "" || (*op != "generate" && *op != "decrypt") || *clients < 1 {
		fail("usage: KVK_API_KEY=... loadgen -endpoint URL -ca FILE [-key NAME] -op generate|decrypt -clients N [-duration D] [-warmup D]")
	}
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		fail("%v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		fail("no certificate in %s", *caFile)
	}
	key, err := kes.ParseAPIKey(apiKey)
	if err != nil {
		fail("api key: %v", err)
	}
	cert, err := kes.GenerateCertificate(key)
	if err != nil {
		fail("certificate: %v", err)
	}
	newClient := func() *kes.Client {
		return kes.NewClientWithConfig(*endpoint, &tls.Config{
			MinVersion:         tls.VersionTLS12,
			Certificates:       []tls.Certificate{cert},
			RootCAs:            roots,
			ClientSessionCache: tls.NewLRUClientSessionCache(100),
		})
	}
	ctx := context.Background()
	context_ := []byte(`{"bench":"bench/object"}`)
	dek, err := newClient().GenerateKey(ctx, *keyName, context_)
	if err != nil {
		fail("initial generate on %q: %v", *keyName, err)
	}

	var (
		measuring atomic.Bool
		stop      atomic.Bool
		errCount  atomic.Int64
		firstErr  atomic.Value
		wg        sync.WaitGroup
		lat       = make([][]time.Duration, *clients)
	)
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := newClient()
			samples := make([]time.Duration, 0, 1<<14)
			for !stop.Load() {
				t0 := time.Now()
				var err error
				if *op == "generate" {
					_, err = c.GenerateKey(ctx, *keyName, context_)
				} else {
					_, err = c.Decrypt(ctx, *keyName, dek.Ciphertext, context_)
				}
				d := time.Since(t0)
				if !measuring.Load() {
					continue
				}
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				samples = append(samples, d)
			}
			lat[i] = samples
		}(i)
	}
	time.Sleep(*warmup)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(*duration)
	measuring.Store(false)
	elapsed := time.Since(start)
	stop.Store(true)
	wg.Wait()

	var all []time.Duration
	for _, s := range lat {
		all = append(all, s...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		i := int(float64(len(all)-1) * p)
		return float64(all[i].Microseconds())
	}
	out := summary{
		Ops:       len(all),
		Seconds:   elapsed.Seconds(),
		OpsPerSec: float64(len(all)) / elapsed.Seconds(),
		P50us:     pct(0.50),
		P99us:     pct(0.99),
		Errors:    errCount.Load(),
	}
	if v, ok := firstErr.Load().(string); ok {
		out.FirstError = v
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
