# A Service's endpoints follow readiness: a pod is listed under notReadyAddresses until its
# readiness probe passes, and moves back there when the probe starts failing. Requests to the
# Service are spread over the ready pods by kube-proxy (a seed-determined random choice),
# except with sessionAffinity ClientIP, where a client sticks to the pod it got first.
cat <<'EOF2' > web.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: v1
kind: Pod
metadata:
  name: web-a
  labels:
    app: web
spec:
  containers:
  - name: web
    image: kubedojo/webapp:1.0
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      httpGet:
        path: /ready
        port: http
      periodSeconds: 2
---
apiVersion: v1
kind: Pod
metadata:
  name: web-b
  labels:
    app: web
spec:
  containers:
  - name: web
    image: kubedojo/webapp:1.0
    env:
    - name: START_DELAY
      value: "20"
    - name: NOT_READY_AFTER
      value: "60"
    ports:
    - name: http
      containerPort: 8080
    readinessProbe:
      httpGet:
        path: /ready
        port: http
      periodSeconds: 2
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  containers:
  - name: client
    image: busybox:1.36
    command: ["sleep", "3600"]
EOF2
kubectl apply -f web.yaml
sleep 6
kubectl get endpoints web -o jsonpath='ready: {.subsets[*].addresses[*].targetRef.name}{"\n"}not ready: {.subsets[*].notReadyAddresses[*].targetRef.name}{"\n"}port: {.subsets[*].ports[*].name}/{.subsets[*].ports[*].port}{"\n"}'
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
sleep 20
kubectl get endpoints web -o jsonpath='ready: {.subsets[*].addresses[*].targetRef.name}{"\n"}not ready: {.subsets[*].notReadyAddresses[*].targetRef.name}{"\n"}'
kubectl get endpointslices -l kubernetes.io/service-name=web -o jsonpath='{range .items[*].endpoints[*]}{.targetRef.name} ready={.conditions.ready}{"\n"}{end}'
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web.default.svc.cluster.local
kubectl expose pod web-a --name=sticky --selector=app=web --port=80 --target-port=http --session-affinity=ClientIP
kubectl get svc sticky -o jsonpath='{.spec.sessionAffinity} {.spec.sessionAffinityConfig}{"\n"}'
kubectl exec client -- wget -qO- http://sticky
kubectl exec client -- wget -qO- http://sticky
kubectl exec client -- wget -qO- http://sticky
kubectl exec client -- wget -qO- http://sticky
sleep 60
kubectl get endpoints web -o jsonpath='ready: {.subsets[*].addresses[*].targetRef.name}{"\n"}not ready: {.subsets[*].notReadyAddresses[*].targetRef.name}{"\n"}'
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl delete pod web-a
kubectl get endpoints web -o yaml
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -T 5 -qO- http://web:8080
