# kubectl run: a pod labelled run=NAME, its options, --expose, and the run-to-completion
# forms with -i and --rm.
kubectl run web --image=nginx:1.27 --port=80
kubectl run web --image=nginx:1.27
kubectl get pod web -o yaml
kubectl run app --image=busybox:1.36 --labels=app=demo,tier=back --env=MODE=prod --restart=Never --command -- sh -c 'echo $MODE; sleep 3600'
kubectl get pod app -o jsonpath='{.metadata.labels} {.spec.restartPolicy} {.spec.containers[0].command}{"\n"}'
sleep 5
kubectl logs app
kubectl run exposed --image=nginx:1.27 --port=80 --expose
kubectl get service exposed -o jsonpath='{.spec.selector} {.spec.ports[0].port}{"\n"}'
kubectl run over --image=busybox:1.36 --overrides='{"spec":{"nodeName":"node01"}}' -- sleep 3600
kubectl get pod over -o jsonpath='{.spec.nodeName}{"\n"}'
kubectl run check --image=nginx --dry-run=server -o name
kubectl get pod check
kubectl run tmp --image=busybox:1.36 --rm -i --restart=Never -- sh -c 'echo hello from tmp; date'
kubectl get pod tmp
kubectl run keep --image=busybox:1.36 -i --restart=Never -- echo kept
kubectl get pod keep -o jsonpath='{.status.phase}{"\n"}'
kubectl run fails --image=busybox:1.36 -i --restart=Never -- sh -c 'echo about to fail; exit 3'
echo "exit code $?"
kubectl run hi --image=busybox:1.36 -it --rm -- echo hi
kubectl run shell --image=busybox:1.36 -it --rm --restart=Never -- sh
kubectl run shell --image=busybox:1.36 -it --rm --restart=Never
kubectl run bad --image=busybox --restart=Sometimes
kubectl run bad --image=busybox --rm
kubectl run bad --image='Busy Box'
kubectl run
