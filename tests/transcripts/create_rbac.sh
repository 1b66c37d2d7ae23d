# Service accounts, roles and bindings, and a token for a service account.
kubectl create namespace dev
kubectl create serviceaccount bot -n dev
kubectl create sa bot -n dev
kubectl create role pod-reader --verb=get,list,watch --resource=pods,pods/log -n dev
kubectl get role pod-reader -n dev -o yaml
kubectl create role deployer --verb=create,update --resource=deployments.apps,replicasets.apps,services -n dev -o yaml
kubectl create role odd --verb=get --resource=widgets -n dev
kubectl create role odd --verb=use --resource=pods -n dev
kubectl create role odd --verb=frobnicate --resource=pods -n dev
kubectl create rolebinding bot-reads --role=pod-reader --serviceaccount=dev:bot -n dev
kubectl get rolebinding bot-reads -n dev -o yaml
kubectl create rolebinding broken --role=pod-reader --serviceaccount=bot -n dev
kubectl create clusterrole node-reader --verb=get --resource=nodes --non-resource-url=/healthz
kubectl create clusterrole lister --verb=get,list --resource=nodes --non-resource-url=/healthz
kubectl get clusterrole node-reader -o yaml
kubectl create clusterrole monitoring --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true
kubectl get clusterrole monitoring -o jsonpath='{.aggregationRule.clusterRoleSelectors[0].matchLabels}{"\n"}'
kubectl create clusterrolebinding jane-reads-nodes --clusterrole=node-reader --user=jane --group=ops
kubectl get clusterrolebinding jane-reads-nodes -o jsonpath='{.subjects[*].name}{"\n"}'
kubectl create clusterrolebinding jane-reads-nodes --clusterrole=node-reader --user=jane
kubectl create token bot -n dev
kubectl create token bot -n dev --duration=10m --audience=https://example.com -o jsonpath='{.spec.expirationSeconds} {.spec.audiences}{"\n"}'
kubectl create token nobody -n dev
kubectl create token bot -n dev --duration=-1s
