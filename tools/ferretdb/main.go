// Command ferretdb starts FerretDB through its embeddable package, so that tests and the local
// stack get a real MongoDB wire-protocol server without cmd/ferretdb (which panics at start when
// built with Go 1.24+, because it demands a build/version/version.txt the module does not ship).
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteDir := flag.String("sqlite-dir", "./.data/ferretdb", "directory of the SQLite backend")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL, for the postgresql backend")
	flag.Parse()

	if *handler == "sqlite" {
		if err := os.MkdirAll(*sqliteDir, 0o755); err != nil {
			log.Fatalf("ferretdb: %v", err)
		}
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       *handler,
		SQLiteURL:     "file:" + *sqliteDir + "/",
		PostgreSQLURL: *postgresURL,
	})
	if err != nil {
		log.Fatalf("ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	log.Printf("ferretdb: listening on %s (%s)", *listen, *handler)
	f.Run(ctx)
	log.Printf("ferretdb: stopped")
}
