# A first look at kubedojo: a pod from image pull to Running, its logs and events.
kubectl get nodes
kubectl run web --image=nginx
kubectl get pods
sleep 5
kubectl get pods -o wide
kubectl logs web --tail=3
kubectl describe pod web
