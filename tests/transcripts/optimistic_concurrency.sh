# Optimistic concurrency: metadata.resourceVersion in a manifest is a precondition of the
# write (apply, replace, edit); create refuses it.
kubectl create deployment web --image=nginx
sleep 5
kubectl get deploy web -o yaml > stale.yaml
kubectl scale deploy web --replicas=2
sed -i 's/image: nginx$/image: nginx:1.27/' stale.yaml
kubectl apply -f stale.yaml
kubectl replace -f stale.yaml
kubectl get deploy web -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}{"\n"}'
# The same edit on a fresh copy goes through: equal resourceVersions are accepted.
kubectl get deploy web -o yaml > fresh.yaml
sed -i 's/image: nginx$/image: nginx:1.27/' fresh.yaml
kubectl apply -f fresh.yaml
kubectl get deploy web -o jsonpath='{.spec.replicas} {.spec.template.spec.containers[0].image}{"\n"}'
kubectl replace -f fresh.yaml
# An editor that writes another resourceVersion.
KUBE_EDITOR="sed -i 's/resourceVersion: .*/resourceVersion: \"1\"/'" kubectl edit deploy web
# create (and apply of an object that is gone) with a resourceVersion set.
kubectl get deploy web -o yaml > again.yaml
kubectl create -f again.yaml
kubectl delete deploy web
kubectl create -f again.yaml
kubectl apply -f again.yaml
kubectl create -f again.yaml --dry-run=server
sed -i '/resourceVersion:/d' again.yaml
kubectl create -f again.yaml
