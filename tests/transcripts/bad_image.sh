# An image tag that does not exist: ErrImagePull, then ImagePullBackOff.
kubectl run web --image=nginx:1.99-nope
sleep 2
kubectl get pods
sleep 5
kubectl get pods
kubectl describe pod web
kubectl logs web
