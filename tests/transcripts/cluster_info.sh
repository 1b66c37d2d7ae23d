# What the cluster says about itself.
kubectl version
kubectl version --client
kubectl cluster-info
kubectl api-resources --api-group=apps
kubectl api-resources --namespaced=false --no-headers -o name
kubectl api-resources | grep -i netpol
kubectl api-versions
