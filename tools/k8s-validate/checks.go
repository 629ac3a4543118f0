package main

import (
	"fmt"
	"regexp"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Check finds what the API server accepts but would not work: the links between the manifests
// (selectors, names, ports) and the drain timing that the instances need.
// knownEnv, when not nil, is every variable the server reads: a ConfigMap key outside it is a typo
// that the server would silently ignore.
func Check(objs []Object, knownEnv map[string]bool) []error {
	var errs []error
	fail := func(o Object, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s %s: %s", o.File, o.Kind, o.Name, fmt.Sprintf(format, args...)))
	}
	configMaps := map[string]*corev1.ConfigMap{}
	deployments := map[string]*appsv1.Deployment{}
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *corev1.ConfigMap:
			configMaps[o.Name] = v
			for key := range v.Data {
				if knownEnv != nil && !knownEnv[key] {
					fail(o, "key %s is no variable the server reads", key)
				}
			}
		case *appsv1.Deployment:
			deployments[o.Name] = v
		}
	}
	if len(deployments) == 0 {
		errs = append(errs, fmt.Errorf("no Deployment among the manifests"))
	}
	selects := func(o Object, what string, sel *metav1.LabelSelector) {
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || s.Empty() {
			fail(o, "%s: an empty or invalid selector (%v)", what, err)
			return
		}
		for _, d := range deployments {
			if s.Matches(labels.Set(d.Spec.Template.Labels)) {
				return
			}
		}
		fail(o, "%s selects no Deployment's pods", what)
	}
	for _, o := range objs {
		switch v := o.Obj.(type) {
		case *appsv1.Deployment:
			errs = append(errs, checkDeployment(o, v, configMaps)...)
		case *corev1.Service:
			selects(o, "spec.selector", &metav1.LabelSelector{MatchLabels: v.Spec.Selector})
			for _, p := range v.Spec.Ports {
				if p.TargetPort.StrVal != "" && !anyDeploymentHasPort(deployments, p.TargetPort.StrVal) {
					fail(o, "targetPort %q is no container port name", p.TargetPort.StrVal)
				}
			}
		case *policyv1.PodDisruptionBudget:
			selects(o, "spec.selector", v.Spec.Selector)
		case *networkingv1.NetworkPolicy:
			selects(o, "spec.podSelector", &v.Spec.PodSelector)
		case *autoscalingv2.HorizontalPodAutoscaler:
			d, ok := deployments[v.Spec.ScaleTargetRef.Name]
			if v.Spec.ScaleTargetRef.Kind != "Deployment" || !ok {
				fail(o, "scaleTargetRef names no Deployment here")
				continue
			}
			for _, c := range d.Spec.Template.Spec.Containers {
				if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
					fail(o, "scales on CPU, but container %s requests none", c.Name)
				}
			}
		}
	}
	return errs
}

func anyDeploymentHasPort(deployments map[string]*appsv1.Deployment, name string) bool {
	for _, d := range deployments {
		for _, c := range d.Spec.Template.Spec.Containers {
			for _, p := range c.Ports {
				if p.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// checkDeployment: the selector takes the template's pods, the probes ask the server's own
// endpoints on a declared port, the ConfigMaps exist, and the grace period covers the drain.
func checkDeployment(o Object, d *appsv1.Deployment, configMaps map[string]*corev1.ConfigMap) []error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: Deployment %s: %s", o.File, o.Name, fmt.Sprintf(format, args...)))
	}
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		fail("spec.selector does not select the pod template's labels")
	}
	spec := d.Spec.Template.Spec
	for _, c := range spec.Containers {
		ports := map[string]bool{}
		for _, p := range c.Ports {
			ports[p.Name] = true
			ports[strconv.Itoa(int(p.ContainerPort))] = true
		}
		probe := func(what string, p *corev1.Probe, path string) {
			if p == nil || p.HTTPGet == nil {
				fail("container %s has no HTTP %s", c.Name, what)
				return
			}
			if p.HTTPGet.Path != path {
				fail("container %s: %s asks %s, not %s", c.Name, what, p.HTTPGet.Path, path)
			}
			if !ports[p.HTTPGet.Port.String()] {
				fail("container %s: %s port %s is not declared", c.Name, what, p.HTTPGet.Port.String())
			}
		}
		probe("readinessProbe", c.ReadinessProbe, "/readyz")
		probe("livenessProbe", c.LivenessProbe, "/healthz")
		shutdownMs := 10_000 // the server's default SHUTDOWN_TIMEOUT_MS
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef == nil {
				continue
			}
			cm, ok := configMaps[from.ConfigMapRef.Name]
			if !ok {
				fail("container %s: envFrom names ConfigMap %s, which is not here", c.Name, from.ConfigMapRef.Name)
				continue
			}
			if v, ok := cm.Data["SHUTDOWN_TIMEOUT_MS"]; ok {
				if shutdownMs, err = strconv.Atoi(v); err != nil {
					fail("SHUTDOWN_TIMEOUT_MS %q is not a number", v)
				}
			}
		}
		preStopS := preStopSeconds(c.Lifecycle)
		if preStopS < 0 {
			fail("container %s: preStop is not a sleep, so the drain cannot be checked", c.Name)
		}
		need := int64(preStopS) + int64((shutdownMs+999)/1000) + 1
		if spec.TerminationGracePeriodSeconds == nil || *spec.TerminationGracePeriodSeconds < need {
			fail("terminationGracePeriodSeconds must be at least preStop %d s + SHUTDOWN_TIMEOUT_MS %d ms + 1 s = %d s",
				preStopS, shutdownMs, need)
		}
	}
	return errs
}

var sleepArg = regexp.MustCompile(`^\d+$`)

// preStopSeconds is how long the preStop hook waits: 0 without one, -1 when it is not a sleep.
func preStopSeconds(l *corev1.Lifecycle) int {
	if l == nil || l.PreStop == nil {
		return 0
	}
	if l.PreStop.Sleep != nil {
		return int(l.PreStop.Sleep.Seconds)
	}
	if e := l.PreStop.Exec; e != nil && len(e.Command) == 2 && e.Command[0] == "sleep" && sleepArg.MatchString(e.Command[1]) {
		n, _ := strconv.Atoi(e.Command[1])
		return n
	}
	return -1
}
