# Services of every type, an ingress, a pod disruption budget, a quota and a priority class.
kubectl create service clusterip web --tcp=80:8080
kubectl get service web -o yaml
kubectl create service clusterip web --tcp=80
kubectl create service clusterip headless --clusterip=None
kubectl get service headless -o jsonpath='{.spec.clusterIP} {.spec.ports}{"\n"}'
kubectl create service nodeport np --tcp=80:80 --node-port=30080
kubectl get service np -o jsonpath='{.spec.type} {.spec.ports[0].nodePort}{"\n"}'
kubectl create service loadbalancer lb --tcp=443:8443
kubectl get service lb -o jsonpath='{.spec.type} {.spec.ports[0].name}{"\n"}'
kubectl create service externalname db --external-name=db.example.com
kubectl get service db -o jsonpath='{.spec.type} {.spec.externalName}{"\n"}'
kubectl create service nodeport bad --tcp=80 --node-port=80
kubectl create ingress web --class=nginx --rule='web.example.com/*=web:80,tls=web-tls' --rule='web.example.com/api=api:8080'
kubectl get ingress web -o yaml
kubectl create ingress bad --rule='web.example.com=web:80'
kubectl create pdb web --selector=app=web --min-available=1
kubectl get pdb web -o yaml
kubectl create quota team --hard=pods=10,requests.cpu=2,requests.memory=4Gi
kubectl get quota team -o jsonpath='{.spec.hard}{"\n"}'
kubectl create priorityclass critical --value=1000000 --description='for the important pods' --preemption-policy=Never
kubectl get priorityclass critical -o yaml
kubectl create priorityclass critical --value=1
