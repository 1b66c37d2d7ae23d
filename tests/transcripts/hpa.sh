# The HPA walkthrough: php-apache scaled on CPU by load, then back down after the
# downscale stabilization window.
kubectl create deployment php-apache --image=registry.k8s.io/hpa-example --port=80
kubectl set resources deployment php-apache --requests=cpu=200m --limits=cpu=500m
kubectl expose deployment php-apache --port=80
kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10
kubectl get hpa
sleep 60
kubectl get hpa
kubectl run load-generator --image=busybox:1.28 --restart=Never -- /bin/sh -c "while sleep 0.01; do wget -q -O- http://php-apache; done"
sleep 90
kubectl get hpa php-apache
kubectl get deployment php-apache
sleep 120
kubectl get hpa php-apache
kubectl get deployment php-apache
kubectl describe hpa php-apache
kubectl delete pod load-generator
sleep 60
kubectl get hpa php-apache
sleep 300
kubectl get hpa php-apache
kubectl get deployment php-apache
kubectl get hpa php-apache -o yaml
