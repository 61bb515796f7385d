// A small HTTP service that reports how it was built: version (a build argument), and the
// OS/architecture it was cross-compiled for.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime"
)

// Set with -ldflags "-X main.version=..." by the Dockerfile.
var version = "unknown"

func main() {
	addr := ":8080"
	if p := os.Getenv("PORT"); p != "" {
		addr = ":" + p
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "extras %s %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	log.Printf("extras %s listening on %s", version, addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
