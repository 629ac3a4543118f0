package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// Object is one manifest decoded into its k8s.io/api type.
type Object struct {
	File string
	Kind string
	Name string
	Obj  any
}

// newObject gives an empty value of the API type for apiVersion and kind: only the kinds that
// deploy/kubernetes uses are known, so a typo in either is an error too.
func newObject(tm metav1.TypeMeta) (any, error) {
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1/Service":
		return &corev1.Service{}, nil
	case "apps/v1/Deployment":
		return &appsv1.Deployment{}, nil
	case "policy/v1/PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}, nil
	case "autoscaling/v2/HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}, nil
	case "networking.k8s.io/v1/NetworkPolicy":
		return &networkingv1.NetworkPolicy{}, nil
	}
	return nil, fmt.Errorf("unknown apiVersion/kind %q/%q", tm.APIVersion, tm.Kind)
}

var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// DecodeStrict decodes every document of a YAML file as the API server would take it from
// kubectl: YAML to JSON without looking at the target type (so `value: 3000` for a string field
// is the error it is there, which sigs.k8s.io/yaml's UnmarshalStrict would quietly convert),
// duplicate keys refused, then JSON into the typed object with unknown fields refused.
func DecodeStrict(file string, data []byte) ([]Object, error) {
	var out []Object
	for i, doc := range docSeparator.Split(string(data), -1) {
		j, err := yaml.YAMLToJSONStrict([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
			continue // an empty document: comments only
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(j, &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		obj, err := newObject(tm)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", file, i+1, err)
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.DisallowUnknownFields()
		if err := dec.Decode(obj); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, tm.Kind, err)
		}
		meta, _ := metaOf(obj)
		if meta.Name == "" {
			return nil, fmt.Errorf("%s: %s has no metadata.name", file, tm.Kind)
		}
		out = append(out, Object{File: file, Kind: tm.Kind, Name: meta.Name, Obj: obj})
	}
	return out, nil
}

func metaOf(obj any) (*metav1.ObjectMeta, bool) {
	m, ok := obj.(interface{ GetObjectMeta() metav1.Object })
	if !ok {
		return nil, false
	}
	om, ok := m.GetObjectMeta().(*metav1.ObjectMeta)
	return om, ok
}
