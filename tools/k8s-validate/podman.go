package main

import (
	"bytes"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// PodmanVariant is what `podman kube play` can run on one machine: the ConfigMaps (with `set`
// applied) and the Deployments, on the host's network. Podman ignores Services, knows no PDB or
// HPA, and cannot map ports on the host network; and with every replica on the host's network
// they cannot share one port, so the test sets PORT=0 (each picks a free one) and does the
// probes' work itself, since podman runs no probe without systemd.
func PodmanVariant(objs []Object, set map[string]string) ([]byte, error) {
	var docs [][]byte
	applied := map[string]bool{}
	for _, o := range objs {
		var out any
		switch v := o.Obj.(type) {
		case *corev1.ConfigMap:
			cm := v.DeepCopy()
			if cm.Data == nil {
				cm.Data = map[string]string{}
			}
			for k, val := range set {
				cm.Data[k] = val
				applied[k] = true
			}
			out = cm
		case *appsv1.Deployment:
			d := v.DeepCopy()
			spec := &d.Spec.Template.Spec
			spec.HostNetwork = true
			for i := range spec.Containers {
				c := &spec.Containers[i]
				c.Ports = nil
				c.ReadinessProbe, c.LivenessProbe = nil, nil
				c.ImagePullPolicy = corev1.PullNever
			}
			out = d
		default:
			continue
		}
		y, err := yaml.Marshal(out)
		if err != nil {
			return nil, err
		}
		docs = append(docs, y)
	}
	for k := range set {
		if !applied[k] {
			return nil, fmt.Errorf("-set %s: no ConfigMap to set it in", k)
		}
	}
	return bytes.Join(docs, []byte("---\n")), nil
}
