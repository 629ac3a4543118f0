package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dir = "../../deploy/kubernetes"

// load decodes and checks the repository's manifests, with `edit` applied to one file first.
func load(t *testing.T, file string, edit func(string) string) error {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	known, err := knownEnv("../../src/config.ts")
	if err != nil {
		t.Fatal(err)
	}
	var objs []Object
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if filepath.Base(p) == file {
			edited := edit(text)
			if edited == text {
				t.Fatalf("the edit changed nothing in %s", file)
			}
			text = edited
		}
		decoded, err := DecodeStrict(p, []byte(text))
		if err != nil {
			return err
		}
		objs = append(objs, decoded...)
	}
	if errs := Check(objs, known); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func TestTheRepositorysManifestsPass(t *testing.T) {
	if err := load(t, "", nil); err != nil {
		t.Fatal(err)
	}
}

func TestBrokenManifestsFail(t *testing.T) {
	cases := []struct {
		name, file string
		edit       func(string) string
		want       string
	}{
		{"unknown field", "deployment.yaml", replace("  replicas: 2\n", "  replicas: 2\n  replica: 3\n"), `unknown field "replica"`},
		{"unknown nested field", "deployment.yaml", replace("periodSeconds: 5\n", "periodSeconds: 5\n            perodSeconds: 5\n"), `unknown field "perodSeconds"`},
		{"wrong type", "deployment.yaml", replace("replicas: 2", `replicas: "two"`), "cannot unmarshal string"},
		{"a number for a string", "configmap.yaml", replace(`PORT: "3000"`, "PORT: 3000"), "cannot unmarshal number"},
		{"duplicate key", "service.yaml", replace("  type: ClusterIP\n", "  type: ClusterIP\n  type: NodePort\n"), "already set in map"},
		{"unknown kind", "pdb.yaml", replace("kind: PodDisruptionBudget", "kind: PodDisruptionBudgett"), "unknown apiVersion/kind"},
		{"old apiVersion", "hpa.yaml", replace("autoscaling/v2\n", "autoscaling/v2beta1\n"), "unknown apiVersion/kind"},
		{"grace shorter than the drain", "deployment.yaml", replace("terminationGracePeriodSeconds: 20", "terminationGracePeriodSeconds: 12"), "terminationGracePeriodSeconds must be at least"},
		{"drain longer than the grace", "configmap.yaml", replace(`SHUTDOWN_TIMEOUT_MS: "10000"`, `SHUTDOWN_TIMEOUT_MS: "30000"`), "terminationGracePeriodSeconds must be at least"},
		{"readiness on the wrong path", "deployment.yaml", replace("path: /readyz", "path: /ready"), "readinessProbe asks /ready"},
		{"probe on an undeclared port", "deployment.yaml", replace("path: /healthz\n              port: http", "path: /healthz\n              port: web"), "livenessProbe port web is not declared"},
		{"service selects nothing", "service.yaml", replace("  selector:\n    app.kubernetes.io/name: chess-server", "  selector:\n    app.kubernetes.io/name: chess"), "selects no Deployment's pods"},
		{"hpa on another deployment", "hpa.yaml", replace("    name: chess-server", "    name: chess"), "scaleTargetRef names no Deployment"},
		{"no cpu request under the hpa", "deployment.yaml", replace("              cpu: 500m\n", ""), "requests none"},
		{"a mistyped variable", "configmap.yaml", replace("LOG_LEVEL:", "LOGLEVEL:"), "LOGLEVEL is no variable"},
		{"envFrom a missing ConfigMap", "deployment.yaml", replace("name: chess-server\n          env:", "name: chess\n          env:"), "envFrom names ConfigMap chess"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := load(t, c.file, c.edit)
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

func TestPodmanVariant(t *testing.T) {
	data, _ := os.ReadFile(filepath.Join(dir, "configmap.yaml"))
	cm, _ := DecodeStrict("configmap.yaml", data)
	data, _ = os.ReadFile(filepath.Join(dir, "deployment.yaml"))
	d, _ := DecodeStrict("deployment.yaml", data)
	out, err := PodmanVariant(append(cm, d...), map[string]string{"PORT": "0"})
	if err != nil {
		t.Fatal(err)
	}
	// The variant is itself a valid pair of manifests, on the host's network, with PORT set.
	objs, err := DecodeStrict("variant", out)
	if err != nil || len(objs) != 2 {
		t.Fatalf("variant does not decode: %v\n%s", err, out)
	}
	for _, want := range []string{"hostNetwork: true", `PORT: "0"`, "imagePullPolicy: Never"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("variant lacks %q", want)
		}
	}
	if _, err := PodmanVariant(d, map[string]string{"PORT": "0"}); err == nil {
		t.Error("-set with no ConfigMap to put it in was accepted")
	}
}
