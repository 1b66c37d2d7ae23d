# kubectl top reads the resource metrics API like any other request: RBAC decides, and
# metrics-server's aggregated reader role gives it to view, edit and admin.
kubectl create namespace dev
kubectl create rolebinding jane-view --clusterrole=view --user=jane -n dev
kubectl run web --image=nginx -n dev
sleep 40
kubectl top pods --as jane
kubectl top pods -n dev --as jane
kubectl top pod web -n dev --as jane
kubectl top pods -A --as jane
kubectl top nodes --as jane
kubectl top node node01 --as jane
kubectl auth can-i list pods.metrics.k8s.io -n dev --as jane
kubectl auth can-i list nodes.metrics.k8s.io --as jane
kubectl get clusterrole system:aggregated-metrics-reader -o yaml
# Node metrics alone are not enough: top node also reads the nodes.
kubectl create clusterrolebinding jane-metrics --clusterrole=system:aggregated-metrics-reader --user=jane
kubectl top nodes --as jane
kubectl top node node01 --as jane
