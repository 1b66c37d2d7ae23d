# `kubectl delete --field-selector`: the pods a field selector picks (here those of a node
# that lost power, stuck Terminating after their eviction), force-deleted so that their
# Deployment replaces them; an unsupported field is refused by the server.
kubectl create deployment web --image=nginx:1.27 --replicas=4
sleep 10
kubectl get pods -o wide
chaos node-down node02
sleep 360
kubectl get pods -o wide
kubectl delete pods --field-selector spec.nodeName=node02 --force --grace-period=0
kubectl get pods -o wide
kubectl delete pods --field-selector spec.nodeName=node02
kubectl delete pods --field-selector spec.hostname=x
