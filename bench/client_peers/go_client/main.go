// HTTP client workload peer: Go's net/http (standard library only).
//
// Usage: go_client URL N CONCURRENCY
// Sends N GET requests to URL with at most CONCURRENCY in flight through one http.Client whose
// Transport keeps CONCURRENCY idle connections per host, reads every body, and prints
// `elapsed_s=<secs> requests=<n> errors=<n>` (the same as bench/workloads/http_client.cpp).
// Build: cd bench/client_peers/go_client && go build (offline: no dependency).
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: go_client URL N CONCURRENCY")
		os.Exit(2)
	}
	url := os.Args[1]
	n, err1 := strconv.ParseInt(os.Args[2], 10, 64)
	concurrency, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || n <= 0 || concurrency <= 0 {
		fmt.Fprintln(os.Stderr, "N and CONCURRENCY must be positive integers")
		os.Exit(2)
	}
	transport := &http.Transport{
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     concurrency,
	}
	client := &http.Client{Transport: transport}
	var next, ok, errors int64
	var firstError sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for atomic.AddInt64(&next, 1) <= n {
				resp, err := client.Get(url)
				if err != nil {
					atomic.AddInt64(&errors, 1)
					firstError.Do(func() { fmt.Fprintln(os.Stderr, "first error:", err) })
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode >= 400 {
					atomic.AddInt64(&errors, 1)
				} else {
					atomic.AddInt64(&ok, 1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	fmt.Printf("elapsed_s=%.3f requests=%d errors=%d\n", elapsed, ok, errors)
}
