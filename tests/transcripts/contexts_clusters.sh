# Several clusters (issue 5): each context reaches its own cluster, as on the exam.
# scenario: tests/scenarios/two-clusters.yaml
kubectl config get-contexts
kubectl config get-clusters
kubectl get nodes
kubectl get ns
kubectl create deployment web --image=nginx:1.27 --replicas=2
kubectl get deploy
kubectl config use-context prod
kubectl get deploy
kubectl get nodes
kubectl get ns
kubectl get configmap release -o jsonpath='{.data.version}{"\n"}'
kubectl config get-contexts
# The development cluster keeps time while the learner works in production.
sleep 5
kubectl --context dev get deploy
kubectl get pods --context=dev
kubectl create deployment web --image=nginx:1.27 --replicas=1
sleep 5
kubectl get pods
kubectl config use-context dev
kubectl config current-context
kubectl get deploy,pods
kubectl get configmap release
kubectl --context nope get pods
# A context whose cluster is not in the kubeconfig reaches no API server.
kubectl config set-context lost --cluster=nowhere --user=kubernetes-admin
kubectl config use-context lost
kubectl get pods
kubectl config use-context dev
kubectl get deploy
# The scenario's fault strikes production at tick 20, whichever context is current.
sleep 60
kubectl get nodes
kubectl --context prod get nodes
