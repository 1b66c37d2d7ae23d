# Contexts and namespaces: the exam's `kubectl config` habits.
kubectl config current-context
kubectl config get-contexts
kubectl create namespace dev
kubectl config set-context --current --namespace=dev
kubectl config get-contexts
kubectl run web --image=nginx:1.27
kubectl get pods -o name
kubectl get pods -n default -o name
kubectl config set-context exam --cluster=kubernetes --user=kubernetes-admin --namespace=default
kubectl config get-contexts
kubectl config use-context exam
kubectl config current-context
kubectl --context=kubernetes-admin@kubernetes get pods -o name
kubectl --context=nope get pods
kubectl config use-context nope
kubectl config view
kubectl config view --minify -o jsonpath='{.contexts[0].context.namespace}{"\n"}'
kubectl config set-context
kubectl config get-contexts nope
