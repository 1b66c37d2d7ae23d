# Every command that reads or writes runs through the authorizer when run `--as` someone:
# the resource builder's get or list first, then the write (patch, create, the scale and
# eviction subresources), each refused in the API server's words.
kubectl create namespace dev
kubectl create deployment web --image=nginx:1.27 -n dev
kubectl create role viewer --verb=get,list,watch --resource=deployments,pods -n dev
kubectl create rolebinding jane-views --role=viewer --user=jane -n dev
sleep 10
kubectl get deploy web -n dev --as jane
kubectl scale deploy web --replicas=3 -n dev --as jane
kubectl scale deploy web --replicas=3 --current-replicas=1 -n dev --as jane
kubectl label deploy web tier=front -n dev --as jane
kubectl annotate deploy web owner=jane -n dev --as jane
kubectl label deploy web tier=front -n dev --as bob
kubectl patch deploy web -n dev -p '{"spec":{"replicas":2}}' --as jane
kubectl set image deploy/web nginx=nginx:1.26 -n dev --as jane
kubectl set env deploy/web MODE=prod -n dev --as bob
kubectl expose deploy web --port=80 -n dev --as jane
kubectl autoscale deploy web --max=5 -n dev --as jane
kubectl rollout restart deploy/web -n dev --as jane
kubectl rollout pause deploy/web -n dev --as jane
kubectl rollout history deploy/web -n dev --as jane
kubectl rollout undo deploy/web -n dev --as jane
kubectl rollout status deploy/web -n dev --as jane
kubectl rollout status deploy/web -n dev --as bob
kubectl wait --for=condition=Available deploy/web -n dev --as jane
kubectl wait --for=condition=Available deploy/web -n dev --as bob
kubectl label deploy web tier=front -n dev --as jane --dry-run=client
# Nodes are cluster-scoped.
kubectl cordon node01 --as jane
kubectl taint node node01 dedicated=db:NoSchedule --as jane
kubectl drain node01 --ignore-daemonsets --as jane
kubectl create clusterrole node-reader --verb=get,list --resource=nodes
kubectl create clusterrolebinding jane-reads-nodes --clusterrole=node-reader --user=jane
kubectl cordon node01 --as jane
kubectl taint node node01 dedicated=db:NoSchedule --as jane
kubectl drain node01 --ignore-daemonsets --as jane
kubectl get nodes
# With the edit ClusterRole in dev, jane can change her deployment.
kubectl create rolebinding jane-edits --clusterrole=edit --user=jane -n dev
kubectl scale deploy web --replicas=2 -n dev --as jane
kubectl label deploy web tier=front -n dev --as jane
kubectl set image deploy/web nginx=nginx:1.26 -n dev --as jane
kubectl rollout status deploy/web -n dev --as jane
kubectl rollout history deploy/web -n dev --as jane
kubectl rollout undo deploy/web -n dev --as jane
kubectl expose deploy web --port=80 -n dev --as jane
kubectl autoscale deploy web --max=5 -n dev --as jane
kubectl get deploy,svc,hpa -n dev
