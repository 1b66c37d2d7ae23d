# kubectl get with a generic printer (jsonpath, yaml, name) and objects that are not there:
# one named object prints only the error, several names print the list of those found and
# then the errors, an empty list still goes through the template, and --ignore-not-found
# with nothing found prints nothing.
kubectl run web --image=nginx:1.27
kubectl get pod nope -o jsonpath='{.metadata.name} {.spec.nodeName}:'
echo "exit $?"
kubectl get pod nope -o yaml
kubectl get pod/nope -o name
kubectl get pod web nope -o jsonpath='{.items[*].metadata.name}{"\n"}'
echo "exit $?"
kubectl get pods -l app=none -o jsonpath='[{.items[*].metadata.name}]{"\n"}'
kubectl get pods -l app=none -o yaml
kubectl get pod nope --ignore-not-found -o yaml
echo "exit $?"
kubectl get pods -l app=none --ignore-not-found -o jsonpath='[{.items[*].metadata.name}]{"\n"}'
kubectl get pod nope --ignore-not-found
echo "exit $?"
