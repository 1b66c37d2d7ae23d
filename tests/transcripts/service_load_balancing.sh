# The exam's everyday flow: a Deployment exposed with `kubectl expose`; requests through the
# Service are spread over the replicas (kube-proxy's random choice, fixed by the seed);
# scaling the Deployment changes the endpoints within the second the pods turn ready.
kubectl create deployment web --image=kubedojo/webapp:1.0 --replicas=3 --port=8080
kubectl expose deployment web --port=80 --target-port=8080
kubectl get service web -o yaml
kubectl run client --image=busybox:1.36 --command -- sleep 3600
sleep 10
kubectl get endpoints web -o jsonpath='{range .subsets[*].addresses[*]}{.targetRef.name}{"\n"}{end}'
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl scale deployment web --replicas=1
sleep 2
kubectl get endpoints web -o jsonpath='{range .subsets[*].addresses[*]}{.targetRef.name}{"\n"}{end}'
kubectl exec client -- wget -qO- http://web
kubectl exec client -- wget -qO- http://web
kubectl expose deployment web
kubectl expose deployment web --name=web-np --type=NodePort --port=80 --target-port=8080 --dry-run=client -o yaml
