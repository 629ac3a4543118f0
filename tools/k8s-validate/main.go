// Command k8s-validate decodes Kubernetes manifests strictly into the k8s.io/api types (unknown
// fields, wrong types and duplicate keys fail, as the API server fails them) and checks the links
// between them; with -podman it also writes the variant that `podman kube play` runs here.
//
//	k8s-validate [-env-from src/config.ts] FILE...
//	k8s-validate -podman [-set KEY=VALUE]... FILE... > play.yaml
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
)

type setFlags map[string]string

func (s setFlags) String() string { return fmt.Sprint(map[string]string(s)) }
func (s setFlags) Set(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", kv)
	}
	s[k] = v
	return nil
}

// configKey is a top-level key of the server's configSchema (src/config.ts): one per variable.
var configKey = regexp.MustCompile(`(?m)^  ([A-Z][A-Z0-9_]*):`)

func knownEnv(path string) (map[string]bool, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, m := range configKey.FindAllStringSubmatch(string(src), -1) {
		known[m[1]] = true
	}
	if len(known) == 0 {
		return nil, fmt.Errorf("%s: no configuration keys found", path)
	}
	return known, nil
}

func main() {
	envFrom := flag.String("env-from", "", "the server's config.ts: ConfigMap keys must be among its variables")
	podman := flag.Bool("podman", false, "write the `podman kube play` variant to stdout")
	set := setFlags{}
	flag.Var(set, "set", "KEY=VALUE for the ConfigMap of the -podman variant (repeatable)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: k8s-validate [-env-from config.ts] [-podman [-set K=V]...] FILE...")
		os.Exit(2)
	}
	var known map[string]bool
	if *envFrom != "" {
		var err error
		if known, err = knownEnv(*envFrom); err != nil {
			fatal(err)
		}
	}
	var objs []Object
	for _, file := range flag.Args() {
		data, err := os.ReadFile(file)
		if err != nil {
			fatal(err)
		}
		decoded, err := DecodeStrict(file, data)
		if err != nil {
			fatal(err)
		}
		objs = append(objs, decoded...)
	}
	if errs := Check(objs, known); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	if *podman {
		out, err := PodmanVariant(objs, set)
		if err != nil {
			fatal(err)
		}
		os.Stdout.Write(out)
		return
	}
	for _, o := range objs {
		fmt.Printf("ok  %s: %s %s\n", o.File, o.Kind, o.Name)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
