# The generic printers (jsonpath, yaml, name) print nothing when the one object asked for by
# name is missing, only the error; several names print a List of those found, then the errors.
# With --ignore-not-found nothing found prints nothing at all.
kubectl run web --image=nginx:1.27
kubectl get pod nope -o jsonpath='name={.metadata.name}'
kubectl get pod nope -o yaml
kubectl get pod/nope -o name
kubectl get pod nope --ignore-not-found -o json
kubectl get pod web nope -o jsonpath='{.items[*].metadata.name}{"\n"}'
kubectl get pods -l app=none -o jsonpath='names={.items[*].metadata.name}{"\n"}'
