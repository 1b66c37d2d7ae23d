# kubectl create for workloads, against the simulated API server: objects are stored with the
# server's defaults, a second create is refused, and --dry-run=server stores nothing.
kubectl create namespace dev
kubectl create namespace dev
kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80 -n dev
kubectl create deployment web --image=nginx:1.27 -n dev
kubectl get deployment web -n dev -o yaml
kubectl create deployment api --image=busybox:1.36 -n dev -o name -- sleep 3600
kubectl get deployment api -n dev -o jsonpath='{.spec.template.spec.containers[0].command}{"\n"}'
kubectl create deployment check --image=nginx --dry-run=server
kubectl get deployment check
kubectl create deployment Bad --image=nginx
kubectl create job once --image=busybox:1.36 -n dev -- sh -c 'echo done'
kubectl get job once -n dev -o jsonpath='{.spec.template.spec.restartPolicy} {.spec.backoffLimit}{"\n"}'
kubectl create cronjob tick --image=busybox:1.36 --schedule='*/5 * * * *' -n dev -- date
kubectl get cronjob tick -n dev -o yaml
kubectl create job tick-manual --from=cronjob/tick -n dev
kubectl get job tick-manual -n dev -o jsonpath='{.metadata.annotations} {.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}{"\n"}'
kubectl create job other --from=cronjob/nope -n dev
kubectl create job other --from=deployment/web -n dev
kubectl create job other --from=cronjob/tick --image=busybox -n dev
kubectl create deployment saved --image=nginx --save-config
kubectl get deployment saved -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'
